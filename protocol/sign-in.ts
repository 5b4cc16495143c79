/**
 * User sign-in: the stand-in for the Entra token endpoint a device's OOBE signs the user in at, and the Federated
 * authentication page of MDM enrollment (MS-MDE2 §3.2 "Interaction with Security Token Service"; memdocs "Federated
 * authentication device enrollment").
 *
 *   POST {base}deployment/v1/auth/token   application/json   SignInRequest → SignInResponse
 *     { "upn": "adele@contoso.example", "password": "…", "audience": "mdm" | "device-registration" }
 *     → { "accessToken": "<JWT ES256>", "expiresIn": <seconds> }
 *   errors: HTTP status + ErrorBody (protocol/errors.ts), JSON; wrong credentials are SIGN_IN_INVALID_CREDENTIALS.
 *
 *   GET  /EnrollmentServer/Authenticate?appru=ms-app://…&login_hint=…   → the HTML sign-in form
 *   POST /EnrollmentServer/Authenticate   application/x-www-form-urlencoded upn, password, appru
 *     → an HTML page whose form posts `wresult=<user token for audience mdm>` to appru, or the form again (401)
 */
import { ProtocolError } from "./errors.js";

/** Path of the token endpoint below the base URL. */
export const SIGN_IN_PATH = "deployment/v1/auth/token";
/** Path of the Federated authentication page on the root of the service's host. */
export const FEDERATED_AUTHENTICATION_PATH = "/EnrollmentServer/Authenticate";
/** The scheme of the only return addresses (`appru`) the Federated page posts to: the enrolling app's. */
export const FEDERATED_APPRU_SCHEME = "ms-app:";

/** What a user token is for: MDM enrollment, or device registration (join). */
export const USER_TOKEN_AUDIENCES = ["mdm", "device-registration"] as const;
export type UserTokenAudience = (typeof USER_TOKEN_AUDIENCES)[number];

export const SIGN_IN_LIMITS = Object.freeze({
  maxBodyBytes: 4 * 1024,
  maxUpnChars: 256,
  maxPasswordChars: 256,
  maxAppruChars: 2048,
  maxTokenChars: 4 * 1024,
});

export interface SignInRequest {
  readonly upn: string;
  /** A secret: never logged. */
  readonly password: string;
  readonly audience: UserTokenAudience;
}

export interface SignInResponse {
  readonly accessToken: string;
  /** Seconds the token is valid from now. */
  readonly expiresIn: number;
}

function fields(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new ProtocolError("MALFORMED_REQUEST", `${what} must be an object`);
  return value as Record<string, unknown>;
}

function text(record: Record<string, unknown>, key: string, max: number): string {
  const value = record[key];
  if (typeof value !== "string" || value.length === 0 || value.length > max) {
    throw new ProtocolError("MALFORMED_REQUEST", `${key} must be a string of 1..${max} characters`);
  }
  return value;
}

/** Checks a user token's audience name. @throws ProtocolError MALFORMED_REQUEST. */
export function parseUserTokenAudience(value: unknown): UserTokenAudience {
  if (typeof value !== "string" || !(USER_TOKEN_AUDIENCES as readonly string[]).includes(value)) {
    throw new ProtocolError("MALFORMED_REQUEST", `audience must be one of ${USER_TOKEN_AUDIENCES.join(", ")}`);
  }
  return value as UserTokenAudience;
}

/** Validates a sign-in request. @throws ProtocolError MALFORMED_REQUEST naming the field. */
export function parseSignInRequest(value: unknown): SignInRequest {
  const record = fields(value, "sign-in request");
  return {
    upn: text(record, "upn", SIGN_IN_LIMITS.maxUpnChars),
    password: text(record, "password", SIGN_IN_LIMITS.maxPasswordChars),
    audience: parseUserTokenAudience(record["audience"]),
  };
}

/** Validates the token endpoint's answer. @throws ProtocolError MALFORMED_RESPONSE. */
export function parseSignInResponse(value: unknown): SignInResponse {
  try {
    const record = fields(value, "sign-in response");
    const expiresIn = record["expiresIn"];
    if (typeof expiresIn !== "number" || !Number.isInteger(expiresIn) || expiresIn <= 0) throw new ProtocolError("MALFORMED_REQUEST", "expiresIn must be a positive integer");
    return { accessToken: text(record, "accessToken", SIGN_IN_LIMITS.maxTokenChars), expiresIn };
  } catch (error) {
    if (error instanceof ProtocolError) throw new ProtocolError("MALFORMED_RESPONSE", error.message, { cause: error });
    throw error;
  }
}

/**
 * Checks the Federated page's return address: an `ms-app://` URI (the enrolling app's identity, which the web
 * authentication broker intercepts), never a web address the token could leak to.
 * @throws ProtocolError FEDERATED_APPRU_INVALID.
 */
export function parseFederatedAppru(value: unknown): string {
  if (typeof value !== "string" || value.length === 0 || value.length > SIGN_IN_LIMITS.maxAppruChars) {
    throw new ProtocolError("FEDERATED_APPRU_INVALID", `appru must be 1..${SIGN_IN_LIMITS.maxAppruChars} characters`);
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch (error) {
    throw new ProtocolError("FEDERATED_APPRU_INVALID", "appru is not a URI", { cause: error });
  }
  if (url.protocol !== FEDERATED_APPRU_SCHEME || !value.toLowerCase().startsWith("ms-app://")) {
    throw new ProtocolError("FEDERATED_APPRU_INVALID", "appru must be an ms-app:// URI");
  }
  return value;
}
