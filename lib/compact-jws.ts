/**
 * Compact JWS with ES256 (RFC 7515 §7.1, RFC 7518 §3.4: the signature is R ‖ S, 32 octets each, node:crypto's
 * "ieee-p1363" encoding), made and checked with node:crypto's asynchronous sign and verify.
 */
import { sign as signCallback, verify as verifyCallback, type KeyObject } from "node:crypto";
import { promisify } from "node:util";

const signAsync = promisify(signCallback);
const verifyAsync = promisify(verifyCallback);

/** A compact JWS split into its parts, header and payload decoded. */
export interface DecodedJws {
  readonly header: Record<string, unknown>;
  readonly payload: Record<string, unknown>;
  readonly signingInput: string;
  readonly signature: Buffer;
}

const base64urlJson = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString("base64url");
const BASE64URL = /^[A-Za-z0-9_-]+$/;

function decodeObject(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Signs `payload` with an ES256 (P-256) private key. */
export async function signEs256(header: object, payload: object, privateKey: KeyObject): Promise<string> {
  const signingInput = `${base64urlJson(header)}.${base64urlJson(payload)}`;
  const signature = await signAsync("sha256", Buffer.from(signingInput), { key: privateKey, dsaEncoding: "ieee-p1363" });
  return `${signingInput}.${signature.toString("base64url")}`;
}

/** Splits and decodes a compact JWS; undefined when it is not one. */
export function decodeJws(token: string): DecodedJws | undefined {
  const parts = token.split(".");
  if (parts.length !== 3 || !parts.every((part) => BASE64URL.test(part))) return undefined;
  const header = decodeObject(parts[0]!);
  const payload = decodeObject(parts[1]!);
  if (header === undefined || payload === undefined) return undefined;
  return { header, payload, signingInput: `${parts[0]}.${parts[1]}`, signature: Buffer.from(parts[2]!, "base64url") };
}

/** Whether `jws` carries a valid ES256 signature by `publicKey`. */
export async function verifyEs256(jws: DecodedJws, publicKey: KeyObject): Promise<boolean> {
  if (jws.header["alg"] !== "ES256" || jws.signature.length !== 64) return false;
  try {
    return await verifyAsync("sha256", Buffer.from(jws.signingInput), { key: publicKey, dsaEncoding: "ieee-p1363" }, jws.signature);
  } catch {
    return false;
  }
}
