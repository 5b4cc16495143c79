/**
 * User sign-in against the directory: `POST /deployment/v1/auth/token` (protocol/sign-in.ts) checks the user's
 * password and issues a user token for the audience asked, as Entra's token endpoint does for OOBE's sign-in.
 */
import type { FastifyInstance } from "fastify";
import { ProtocolError, SIGN_IN_LIMITS, SIGN_IN_PATH, parseSignInRequest, type SignInRequest, type SignInResponse } from "../protocol/index.js";
import type { Directory } from "./directory/directory.js";
import { DEFAULT_USER_TOKEN_TTL_MS, type UserTokens } from "./directory/user-tokens.js";

/** Signs users in: their password checked against the directory, a user token in return. */
export interface SignIn {
  /**
   * A token for the user of `request` and its audience.
   * @throws ProtocolError SIGN_IN_INVALID_CREDENTIALS when the user does not exist or the password is wrong (one
   *   answer for both, as Entra's AADSTS50126, so the endpoint does not tell which users exist).
   */
  signIn(request: SignInRequest): Promise<SignInResponse>;
}

/** Sign-in over `directory`, issuing tokens with `tokens`. */
export function createSignIn(directory: Directory, tokens: UserTokens, ttlMs: number = DEFAULT_USER_TOKEN_TTL_MS): SignIn {
  return {
    async signIn(request) {
      const user = await directory.authenticateUser(request.upn, request.password);
      if (user === undefined) throw new ProtocolError("SIGN_IN_INVALID_CREDENTIALS");
      const accessToken = await tokens.sign({ upn: user.upn, tenantId: user.tenantId, audience: request.audience }, ttlMs);
      return { accessToken, expiresIn: Math.ceil(ttlMs / 1000) };
    },
  };
}

/** Mounts the token endpoint on `app`. */
export function registerSignInRoutes(app: FastifyInstance, signIn: SignIn): void {
  app.post(`/${SIGN_IN_PATH}`, { bodyLimit: SIGN_IN_LIMITS.maxBodyBytes }, async (request, reply) => {
    const answer = await signIn.signIn(parseSignInRequest(request.body));
    return reply.type("application/json").header("cache-control", "no-store").send(answer);
  });
}
