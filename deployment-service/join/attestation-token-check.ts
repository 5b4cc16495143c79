/**
 * Checks of the attestation token a device presents at join: an ES256 JWT by the attestation service's key, from
 * its issuer, unexpired on the service clock, naming the presented AK (`sub` = hex Name) and the presented AIK
 * certificate (`aikSerial`).
 */
import { decodeJws, verifyEs256 } from "../../lib/index.js";
import { ProtocolError } from "../../protocol/index.js";
import type { AttestationKeys } from "./attestation-keys.js";

/** `iss` of the attestation service's tokens. */
export const ATTESTATION_TOKEN_ISSUER = "apsim-attestation";
/** Device clocks and service clocks differ a little: a token issued this far in the future is still taken. */
const ISSUED_AT_SLACK_S = 300;

/** The claims a join relies on. */
export interface AttestationTokenFacts {
  /** Hex Name of the AK. */
  readonly sub: string;
  /** Hex SHA-256 of the EK's SubjectPublicKeyInfo. */
  readonly ekpub: string;
  readonly aikSerial: string;
  readonly jti: string;
  /** Expiry, ms since the epoch. */
  readonly expiresAt: number;
}

function invalid(detail: string): never {
  throw new ProtocolError("JOIN_ATTESTATION_INVALID", detail);
}

function claim(payload: Record<string, unknown>, key: string): string {
  const value = payload[key];
  if (typeof value !== "string" || value.length === 0) invalid(`the token has no ${key}`);
  return value;
}

function seconds(payload: Record<string, unknown>, key: string): number {
  const value = payload[key];
  if (typeof value !== "number" || !Number.isInteger(value)) invalid(`the token has no ${key}`);
  return value;
}

/**
 * Verifies the token's signature and issuer and reads its claims.
 * @throws ProtocolError JOIN_ATTESTATION_INVALID (forged, foreign or malformed), JOIN_ATTESTATION_EXPIRED.
 */
export async function verifyAttestationToken(token: string, keys: AttestationKeys, now: number): Promise<AttestationTokenFacts> {
  const jws = decodeJws(token);
  if (jws === undefined) invalid("the token is not a compact JWS");
  if (jws.header["alg"] !== "ES256") invalid("the token is not signed with ES256");
  const kid = jws.header["kid"];
  const key = await keys.keyFor(typeof kid === "string" ? kid : undefined);
  if (key === undefined || !(await verifyEs256(jws, key))) invalid("the token signature does not verify with the attestation service's key");
  const { payload } = jws;
  if (payload["iss"] !== ATTESTATION_TOKEN_ISSUER) invalid("the token is not from the attestation service");
  const exp = seconds(payload, "exp");
  const iat = seconds(payload, "iat");
  if (exp * 1000 <= now) throw new ProtocolError("JOIN_ATTESTATION_EXPIRED", `expired at ${new Date(exp * 1000).toISOString()}`);
  if (iat > now / 1000 + ISSUED_AT_SLACK_S) invalid("the token is issued in the future");
  return {
    sub: claim(payload, "sub").toLowerCase(),
    ekpub: claim(payload, "ekpub").toLowerCase(),
    aikSerial: claim(payload, "aikSerial"),
    jti: claim(payload, "jti"),
    expiresAt: exp * 1000,
  };
}

/** The AK and AIK certificate the token names must be the ones presented. */
export function checkTokenNames(facts: AttestationTokenFacts, presented: { akName: Uint8Array; aikSerial: string }): void {
  if (facts.sub !== Buffer.from(presented.akName).toString("hex")) invalid("the token names another AK");
  if (normalizeSerial(facts.aikSerial) !== normalizeSerial(presented.aikSerial)) invalid("the token names another AIK certificate");
}

/** Hex serial without leading zero octets, lower case (how certificates print serials varies). */
export function normalizeSerial(serial: string): string {
  return serial.toLowerCase().replace(/^(00)+(?=.)/, "");
}
