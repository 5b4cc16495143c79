/**
 * The device token: what a joined device presents to the MDM enrollment service (as an Entra device token carries
 * the `deviceid` claim). A JWT (ES256) signed with the home's device token key (`pki/device-registration/
 * device-token-key.pem`, 0600, made on first use); the public key is exposed as a JWKS for verifiers.
 */
import { createPublicKey, randomUUID } from "node:crypto";
import path from "node:path";
import { decodeJws, loadOrCreateSigningKey, signEs256, verifyEs256 } from "../../lib/index.js";
import type { JoinMode, JoinType } from "../../protocol/index.js";

/** `iss` of every device token. */
export const DEVICE_TOKEN_ISSUER = "apsim-device-registration";
/** How long a device token is valid by default. */
export const DEFAULT_DEVICE_TOKEN_TTL_MS = 8 * 60 * 60 * 1000;

/** The claims of a device token. */
export interface DeviceTokenClaims {
  readonly iss: typeof DEVICE_TOKEN_ISSUER;
  /** The device id. */
  readonly sub: string;
  readonly deviceid: string;
  /** The Autopilot (ZTD) id of the registered device. */
  readonly ztdid: string;
  readonly jointype: JoinType;
  readonly mode: JoinMode;
  /** The user who joined the device (user-driven). */
  readonly upn?: string;
  readonly iat: number;
  readonly exp: number;
  readonly jti: string;
}

/** Signs and verifies device tokens with the home's key. */
export interface DeviceTokens {
  /** The public key as a JWKS. */
  readonly jwks: { readonly keys: readonly Record<string, unknown>[] };
  sign(claims: { deviceId: string; ztdId: string; joinType: JoinType; mode: JoinMode; upn?: string }, now: number, ttlMs?: number): Promise<string>;
  /** The claims of a token this home signed that is unexpired at `now`; undefined otherwise. */
  verify(token: string, now: number): Promise<DeviceTokenClaims | undefined>;
}

/** Where a home keeps the device token key. */
export function deviceTokenKeyFile(home: string): string {
  return path.join(home, "pki", "device-registration", "device-token-key.pem");
}

function isClaims(payload: Record<string, unknown>): payload is Record<string, unknown> & DeviceTokenClaims {
  return (
    payload["iss"] === DEVICE_TOKEN_ISSUER &&
    typeof payload["sub"] === "string" &&
    payload["deviceid"] === payload["sub"] &&
    typeof payload["exp"] === "number" &&
    typeof payload["iat"] === "number"
  );
}

/** The device token signer and verifier of `home`. */
export async function loadDeviceTokens(home: string): Promise<DeviceTokens> {
  const privateKey = await loadOrCreateSigningKey(deviceTokenKeyFile(home));
  const publicKey = createPublicKey(privateKey);
  const kid = "device-token-1";
  const jwk = { ...(publicKey.export({ format: "jwk" }) as Record<string, unknown>), kid, alg: "ES256", use: "sig" };
  return {
    jwks: Object.freeze({ keys: Object.freeze([Object.freeze(jwk)]) }),
    sign(claims, now, ttlMs = DEFAULT_DEVICE_TOKEN_TTL_MS) {
      const iat = Math.floor(now / 1000);
      const payload: DeviceTokenClaims = {
        iss: DEVICE_TOKEN_ISSUER,
        sub: claims.deviceId,
        deviceid: claims.deviceId,
        ztdid: claims.ztdId,
        jointype: claims.joinType,
        mode: claims.mode,
        ...(claims.upn === undefined ? {} : { upn: claims.upn }),
        iat,
        exp: iat + Math.ceil(ttlMs / 1000),
        jti: randomUUID(),
      };
      return signEs256({ alg: "ES256", typ: "JWT", kid }, payload, privateKey);
    },
    async verify(token, now) {
      const jws = decodeJws(token);
      if (jws === undefined || !(await verifyEs256(jws, publicKey))) return undefined;
      const { payload } = jws;
      if (!isClaims(payload) || payload.exp * 1000 <= now) return undefined;
      return payload;
    },
  };
}
