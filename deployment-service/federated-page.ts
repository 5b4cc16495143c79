/**
 * The Federated authentication page of MDM enrollment (MS-MDE2 §3.2 "Interaction with Security Token Service";
 * memdocs "Federated authentication device enrollment"). Windows opens it in the web authentication broker with
 * `appru` (the enrolling app's `ms-app://` address) and `login_hint` (the user's e-mail address); the page signs the
 * user in and posts the security token back to `appru` as `wresult`, which the broker hands to the enrollment client.
 *
 *   GET  /EnrollmentServer/Authenticate?appru=…&login_hint=…   → the sign-in form
 *   POST /EnrollmentServer/Authenticate (form: upn, password, appru) → the auto-submitting wresult form, or the
 *        sign-in form again with its error (401)
 *
 * Pages load nothing from elsewhere; every value written into them is escaped; the one inline script (the form's
 * automatic submission) is allowed by its hash in the Content-Security-Policy.
 */
import { createHash } from "node:crypto";
import type { FastifyInstance, FastifyReply } from "fastify";
import { FEDERATED_AUTHENTICATION_PATH, ProtocolError, SIGN_IN_LIMITS, parseFederatedAppru, type ErrorCode } from "../protocol/index.js";
import type { SignIn } from "./sign-in.js";

const FORM_TYPE = "application/x-www-form-urlencoded";
const AUTO_SUBMIT_SCRIPT = 'document.getElementById("wresult-form").submit();';
const AUTO_SUBMIT_HASH = createHash("sha256").update(AUTO_SUBMIT_SCRIPT).digest("base64");
const SECURITY_HEADERS = Object.freeze({
  "content-security-policy": `default-src 'none'; script-src 'sha256-${AUTO_SUBMIT_HASH}'; form-action 'self' ms-app:; frame-ancestors 'none'; base-uri 'none'`,
  "cache-control": "no-store",
  "referrer-policy": "no-referrer",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
});

/** HTML-escapes text for element content and double- or single-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

function page(title: string, body: string): string {
  return `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>\n<body>\n${body}\n</body></html>\n`;
}

/** The sign-in form; `error` is the registry code of the previous attempt's failure. */
export function renderSignInForm(options: { tenantDomain: string; appru: string; loginHint: string; error?: ProtocolError }): string {
  const alert =
    options.error === undefined ? "" : `<p role="alert" data-error-code="${escapeHtml(options.error.code)}">${escapeHtml(options.error.message)}</p>\n`;
  return page(
    "Sign in",
    `<h1>Sign in to ${escapeHtml(options.tenantDomain)}</h1>\n${alert}` +
      `<form id="sign-in-form" method="post" action="${escapeHtml(FEDERATED_AUTHENTICATION_PATH)}">\n` +
      `<input type="hidden" name="appru" value="${escapeHtml(options.appru)}">\n` +
      `<label>User name <input type="email" name="upn" value="${escapeHtml(options.loginHint)}" autocomplete="username" required></label>\n` +
      `<label>Password <input type="password" name="password" autocomplete="current-password" required></label>\n` +
      `<button type="submit">Sign in</button>\n</form>`,
  );
}

/** The page that returns the token to the app: a form posting `wresult` to `appru`, submitted at once. */
export function renderWresultForm(appru: string, token: string): string {
  return page(
    "Signing in",
    `<form id="wresult-form" method="post" action="${escapeHtml(appru)}">\n` +
      `<input type="hidden" name="wresult" value="${escapeHtml(token)}">\n` +
      `<noscript><button type="submit">Continue</button></noscript>\n</form>\n<script>${AUTO_SUBMIT_SCRIPT}</script>`,
  );
}

function renderErrorPage(error: ProtocolError): string {
  return page("Sign-in error", `<h1>Sign-in error</h1>\n<p role="alert" data-error-code="${escapeHtml(error.code)}">${escapeHtml(error.message)}</p>`);
}

function sendPage(reply: FastifyReply, status: number, html: string): FastifyReply {
  return reply.code(status).headers(SECURITY_HEADERS).type("text/html; charset=utf-8").send(html);
}

function boundedField(value: unknown, max: number): string | undefined {
  return typeof value === "string" && value.length > 0 && value.length <= max ? value : undefined;
}

/** The fields of a form body, or of a query string; the first value of each name. */
function formFields(value: unknown): Record<string, unknown> {
  if (value instanceof URLSearchParams) return Object.fromEntries(value.entries());
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
}

/** Mounts the page on `app` in its own scope (its form parser, and errors rendered as HTML pages). */
export async function registerFederatedPage(app: FastifyInstance, options: { signIn: SignIn; tenantDomain: string }): Promise<void> {
  await app.register((scope, _pluginOptions, registered) => {
    if (!scope.hasContentTypeParser(FORM_TYPE)) {
      scope.addContentTypeParser(FORM_TYPE, { parseAs: "string", bodyLimit: SIGN_IN_LIMITS.maxBodyBytes }, (_request, body, done) => {
        done(null, new URLSearchParams(body as string));
      });
    }
    scope.setErrorHandler((error, _request, reply) => {
      if (!(error instanceof ProtocolError)) throw error;
      return sendPage(reply, error.status === 0 ? 500 : error.status, renderErrorPage(error));
    });

    scope.get(FEDERATED_AUTHENTICATION_PATH, async (request, reply) => {
      const query = formFields(request.query);
      const appru = parseFederatedAppru(query["appru"]);
      const loginHint = boundedField(query["login_hint"], SIGN_IN_LIMITS.maxUpnChars) ?? "";
      return sendPage(reply, 200, renderSignInForm({ tenantDomain: options.tenantDomain, appru, loginHint }));
    });

    scope.post(FEDERATED_AUTHENTICATION_PATH, { bodyLimit: SIGN_IN_LIMITS.maxBodyBytes }, async (request, reply) => {
      const form = formFields(request.body);
      const appru = parseFederatedAppru(form["appru"]);
      const upn = boundedField(form["upn"], SIGN_IN_LIMITS.maxUpnChars);
      const password = boundedField(form["password"], SIGN_IN_LIMITS.maxPasswordChars);
      try {
        if (upn === undefined || password === undefined) throw new ProtocolError("SIGN_IN_INVALID_CREDENTIALS");
        const { accessToken } = await options.signIn.signIn({ upn, password, audience: "mdm" });
        return await sendPage(reply, 200, renderWresultForm(appru, accessToken));
      } catch (error) {
        const code: ErrorCode | undefined = error instanceof ProtocolError ? error.code : undefined;
        if (code !== "SIGN_IN_INVALID_CREDENTIALS") throw error;
        return sendPage(reply, 401, renderSignInForm({ tenantDomain: options.tenantDomain, appru, loginHint: upn ?? "", error: error as ProtocolError }));
      }
    });
    registered();
  });
}
