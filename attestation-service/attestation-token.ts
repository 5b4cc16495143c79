/**
 * The attestation token: a JWT (ES256) the deployment service accepts as proof that an AK lives in a genuine TPM
 * with a given EK. Its signing key is made once per home (`pki/attestation/token-key.pem`, 0600); the public
 * key is published as a JWKS. This file is the service's only use of `jose` (the key's thumbprint); the compact JWS
 * itself (RFC 7515 §7.1) is lib/compact-jws.ts, node:crypto's asynchronous sign: jose signs through WebCrypto, which cost
 * the service a tenth of its CPU per attestation.
 */
import { createPublicKey, randomUUID } from "node:crypto";
import path from "node:path";
import { calculateJwkThumbprint, type JWK } from "jose";
import { loadOrCreateSigningKey, signEs256 } from "../lib/index.js";

/** `iss` of every token. */
export const ATTESTATION_TOKEN_ISSUER = "apsim-attestation";
/** How long a token is valid by default. */
export const DEFAULT_TOKEN_TTL_MS = 60 * 60 * 1000;

/** The TPM facts a token states. */
export interface AttestationTokenTpm {
  /** Vendor code (`IFX`, `INTC`, …) of TPM_PT_MANUFACTURER. */
  readonly manufacturer: string;
  /** Firmware version MAJOR.MINOR from TPM_PT_FIRMWARE_VERSION_1. */
  readonly firmware: string;
  /** tcg-at-tpmModel of the EK certificate. */
  readonly model: string;
}

/** The claims of an attestation token. */
export interface AttestationTokenClaims {
  readonly iss: typeof ATTESTATION_TOKEN_ISSUER;
  /** Hex Name of the AK. */
  readonly sub: string;
  /** Hex SHA-256 of the EK's SubjectPublicKeyInfo. */
  readonly ekpub: string;
  readonly tpm: AttestationTokenTpm;
  /** Hex serial of the AIK certificate issued with it. */
  readonly aikSerial: string;
  readonly iat: number;
  readonly exp: number;
  readonly jti: string;
}

/** A JSON Web Key Set with the token signing key. */
export interface AttestationJwks {
  readonly keys: readonly JWK[];
}

/** Signs attestation tokens with the home's token key. */
export interface AttestationTokenSigner {
  /** The public key as a JWKS (GET /attestation/v1/jwks). */
  readonly jwks: AttestationJwks;
  /** Signs a token issued at `now` (ms, service clock) and valid for `ttlMs`. */
  sign(claims: { sub: string; ekpub: string; tpm: AttestationTokenTpm; aikSerial: string }, now: number, ttlMs?: number): Promise<string>;
}

/** Where a home keeps the token signing key. */
export function tokenKeyFile(home: string): string {
  return path.join(home, "pki", "attestation", "token-key.pem");
}

/**
 * The home's token key, created on first use: a P-256 key as PKCS#8 PEM, mode 0600. Creation writes a temporary
 * file and hard-links it into place, so of processes starting at once exactly one key wins and all use it.
 */


/** The token signer of `home` (its key made on first use). */
export async function loadAttestationTokenSigner(home: string): Promise<AttestationTokenSigner> {
  const privateKey = await loadOrCreateSigningKey(tokenKeyFile(home));
  const publicJwk = createPublicKey(privateKey).export({ format: "jwk" }) as JWK;
  const kid = await calculateJwkThumbprint(publicJwk);
  const jwk: JWK = { ...publicJwk, kid, alg: "ES256", use: "sig" };
  return {
    jwks: Object.freeze({ keys: Object.freeze([Object.freeze(jwk)]) }),
    async sign(claims, now, ttlMs = DEFAULT_TOKEN_TTL_MS) {
      const iat = Math.floor(now / 1000);
      const payload: AttestationTokenClaims = {
        iss: ATTESTATION_TOKEN_ISSUER,
        sub: claims.sub,
        ekpub: claims.ekpub,
        tpm: { manufacturer: claims.tpm.manufacturer, firmware: claims.tpm.firmware, model: claims.tpm.model },
        aikSerial: claims.aikSerial,
        iat,
        exp: iat + Math.ceil(ttlMs / 1000),
        jti: randomUUID(),
      };
      return signEs256({ alg: "ES256", typ: "JWT", kid }, payload, privateKey);
    },
  };
}
