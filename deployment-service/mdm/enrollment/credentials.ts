/**
 * Authenticating the requester of a policy or enrollment call from its WS-Security token (MS-MDE2 §3.4.4.1.1.1):
 * a UsernameToken under OnPremise, a BinarySecurityToken carrying the authentication page's token under Federated,
 * or a joined device's JWT — or, under Certificate, with no token, from the certificate the client presented in the
 * TLS handshake ("Certificate authentication device enrollment").
 */
import type { FastifyRequest } from "fastify";
import type { TLSSocket } from "node:tls";
import { MDE2_TOKEN_TYPES, ProtocolError, type AuthPolicy, type SecurityToken } from "../../../protocol/index.js";
import type { EnrollmentAuthenticator, EnrollmentIdentity } from "./authenticator.js";
import type { EnrollmentAuthKind } from "./enrollment-registry.js";

/** An authenticated requester. */
export interface AuthenticatedRequester {
  readonly identity: EnrollmentIdentity;
  readonly authKind: EnrollmentAuthKind;
}

const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const MAX_TOKEN_CHARS = 16 * 1024;

/** A BinarySecurityToken's token: base64 of the token as clients send it, or a bare JWT. */
function tokenText(value: string): string {
  const compact = value.replace(/\s+/g, "");
  if (compact === "" || compact.length > MAX_TOKEN_CHARS) throw new ProtocolError("MDE2_INVALID_SECURITY", "empty or oversized security token");
  if (JWT.test(compact)) return compact;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) throw new ProtocolError("MDE2_INVALID_SECURITY", "security token is not base64");
  return Buffer.from(compact, "base64").toString("utf8");
}

/**
 * The requester behind `token`. UsernameTokens are accepted when the service offers OnPremise, user tokens when it
 * offers Federated, device tokens always (joined devices skip discovery).
 * @throws ProtocolError MDE2_INVALID_SECURITY for a missing or unsupported token, MDE2_AUTHENTICATION when the
 * authenticator does not recognise it.
 */
export async function authenticateRequester(
  token: SecurityToken | undefined,
  authenticator: EnrollmentAuthenticator,
  policies: readonly AuthPolicy[],
  clientCertificate?: Uint8Array,
): Promise<AuthenticatedRequester> {
  if (token === undefined) {
    if (policies.includes("Certificate") && clientCertificate !== undefined && authenticator.verifyClientCertificate !== undefined) {
      const identity = await authenticator.verifyClientCertificate(clientCertificate);
      if (identity === undefined) throw new ProtocolError("MDE2_AUTHENTICATION", "client certificate not recognised");
      return { identity, authKind: "Certificate" };
    }
    throw new ProtocolError("MDE2_INVALID_SECURITY", "the request carries no WS-Security token and no client certificate");
  }
  if (token.kind === "username") {
    if (!policies.includes("OnPremise")) throw new ProtocolError("MDE2_INVALID_SECURITY", "OnPremise authentication is not offered");
    const identity = await authenticator.verifyUsernameToken(token.username, token.password);
    if (identity === undefined) throw new ProtocolError("MDE2_AUTHENTICATION", "user name or password not recognised");
    return { identity, authKind: "OnPremise" };
  }
  if (token.valueType === MDE2_TOKEN_TYPES.jwt) {
    const identity = await authenticator.verifyDeviceToken(tokenText(token.value));
    if (identity === undefined) throw new ProtocolError("MDE2_AUTHENTICATION", "device token not recognised");
    return { identity, authKind: "DeviceToken" };
  }
  if (token.valueType === MDE2_TOKEN_TYPES.userToken) {
    if (!policies.includes("Federated")) throw new ProtocolError("MDE2_INVALID_SECURITY", "Federated authentication is not offered");
    const identity = await authenticator.verifyFederatedToken(tokenText(token.value));
    if (identity === undefined) throw new ProtocolError("MDE2_AUTHENTICATION", "federated token not recognised");
    return { identity, authKind: "Federated" };
  }
  throw new ProtocolError("MDE2_INVALID_SECURITY", `unsupported security token type ${token.valueType.slice(0, 200)}`);
}

/** The DER certificate the client presented in the TLS handshake, if any. */
export function clientCertificateOf(request: FastifyRequest): Uint8Array | undefined {
  const socket = request.raw.socket as Partial<TLSSocket>;
  const certificate = typeof socket.getPeerCertificate === "function" ? socket.getPeerCertificate() : undefined;
  return certificate?.raw === undefined || certificate.raw.length === 0 ? undefined : new Uint8Array(certificate.raw);
}
