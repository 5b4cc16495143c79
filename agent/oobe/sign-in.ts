/**
 * OOBE's "Signing in": the user's credentials go to the deployment service's token endpoint (the Entra sign-in
 * stand-in, protocol/sign-in.ts), so a wrong password stops the flow at sign-in as on Windows, before the device
 * joins anything.
 */
import { SIGN_IN_PATH, parseSignInResponse, type SignInResponse, type UserTokenAudience } from "../../protocol/index.js";
import { postJson, type Exchange } from "../attestation/http-exchange.js";
import { stepFailureOf } from "./profile-client.js";

/**
 * Signs `user` in at the service at `serverUrl` for `audience` (default device registration, what OOBE's sign-in
 * is for).
 * @throws OobeStepFailure with the service's code (SIGN_IN_INVALID_CREDENTIALS, …), a transport code
 *   (SERVICE_UNREACHABLE), or MALFORMED_RESPONSE for an answer that is not a token.
 */
export async function signInUser(
  serverUrl: string,
  user: { readonly upn: string; readonly password: string },
  exchange: Exchange,
  audience: UserTokenAudience = "device-registration",
): Promise<SignInResponse> {
  const url = new URL(SIGN_IN_PATH, serverUrl).href;
  try {
    return parseSignInResponse(await postJson(url, { upn: user.upn, password: user.password, audience }, exchange));
  } catch (error) {
    throw stepFailureOf(error);
  }
}
