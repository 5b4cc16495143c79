/**
 * User tokens: the stand-in for the Entra access token a user gets at sign-in. A JWT (ES256) signed with the home's
 * user token key (`pki/directory/user-token-key.pem`, 0600, made on first use), issued for one audience (MDM
 * enrollment or device registration) and checked against the injected clock.
 */
import { createPublicKey, randomUUID } from "node:crypto";
import path from "node:path";
import { decodeJws, loadOrCreateSigningKey, signEs256, verifyEs256, type Clock } from "../../lib/index.js";
import type { UserTokenAudience } from "../../protocol/index.js";

/** `iss` of every user token. */
export const USER_TOKEN_ISSUER = "apsim-directory";
/** How long a user token is valid by default (Entra's access tokens: about an hour). */
export const DEFAULT_USER_TOKEN_TTL_MS = 60 * 60 * 1000;

/** The claims of a user token. */
export interface UserTokenClaims {
  readonly iss: typeof USER_TOKEN_ISSUER;
  /** The user principal name. */
  readonly sub: string;
  /** The tenant id. */
  readonly tid: string;
  readonly aud: UserTokenAudience;
  readonly iat: number;
  readonly exp: number;
  readonly jti: string;
}

/** Signs and verifies user tokens with the home's key. */
export interface UserTokens {
  /** A token for `upn` of tenant `tenantId`, valid for `ttlMs` from the clock's now. */
  sign(claims: { upn: string; tenantId: string; audience: UserTokenAudience }, ttlMs?: number): Promise<string>;
  /** The claims of a token this home signed for `audience` that is unexpired now; undefined otherwise. */
  verify(token: string, audience: UserTokenAudience): Promise<UserTokenClaims | undefined>;
}

/** Where a home keeps the user token key. */
export function userTokenKeyFile(home: string): string {
  return path.join(home, "pki", "directory", "user-token-key.pem");
}

function isClaims(payload: Record<string, unknown>): payload is Record<string, unknown> & UserTokenClaims {
  return (
    payload["iss"] === USER_TOKEN_ISSUER &&
    typeof payload["sub"] === "string" &&
    typeof payload["tid"] === "string" &&
    typeof payload["aud"] === "string" &&
    typeof payload["iat"] === "number" &&
    typeof payload["exp"] === "number" &&
    typeof payload["jti"] === "string"
  );
}

/** The user token signer and verifier of `home`, on `clock`. */
export async function loadUserTokens(home: string, clock: Clock): Promise<UserTokens> {
  const privateKey = await loadOrCreateSigningKey(userTokenKeyFile(home));
  const publicKey = createPublicKey(privateKey);
  const kid = "user-token-1";
  return {
    sign(claims, ttlMs = DEFAULT_USER_TOKEN_TTL_MS) {
      const iat = Math.floor(clock.now() / 1000);
      const payload: UserTokenClaims = {
        iss: USER_TOKEN_ISSUER,
        sub: claims.upn,
        tid: claims.tenantId,
        aud: claims.audience,
        iat,
        exp: iat + Math.ceil(ttlMs / 1000),
        jti: randomUUID(),
      };
      return signEs256({ alg: "ES256", typ: "JWT", kid }, payload, privateKey);
    },
    async verify(token, audience) {
      const jws = decodeJws(token);
      if (jws === undefined || !(await verifyEs256(jws, publicKey))) return undefined;
      const { payload } = jws;
      if (!isClaims(payload) || payload.aud !== audience || payload.exp * 1000 <= clock.now()) return undefined;
      return payload;
    },
  };
}
