/**
 * "Downloading your organization's configuration": the device posts its hardware hash to the deployment service
 * and receives its Autopilot profile (AutopilotConfigurationFile JSON), or the registry error saying why not
 * (not registered, no profile assigned).
 */
import {
  AUTOPILOT_PROFILE_PATH,
  ProtocolError,
  parseAutopilotConfigurationFile,
  type AutopilotConfigurationFile,
  type AutopilotProfileRequest,
} from "../../protocol/index.js";
import { postJson, type Exchange } from "../attestation/http-exchange.js";
import { AttestationFailure } from "../attestation/outcome.js";
import { OobeStepFailure } from "./oobe-step.js";

/**
 * The device's profile from the service at `serverUrl`.
 * @throws OobeStepFailure with the service's code (DEVICE_NOT_REGISTERED, DEVICE_PROFILE_NOT_ASSIGNED, …), a
 *   transport code (SERVICE_UNREACHABLE), or AUTOPILOT_PROFILE_MALFORMED for an answer that is not a profile.
 */
export async function downloadProfile(serverUrl: string, request: AutopilotProfileRequest, exchange: Exchange): Promise<AutopilotConfigurationFile> {
  const url = new URL(AUTOPILOT_PROFILE_PATH, serverUrl).href;
  try {
    return parseAutopilotConfigurationFile(await postJson(url, request, exchange));
  } catch (error) {
    throw stepFailureOf(error);
  }
}

/** An attestation-layer or protocol failure as the OOBE step failure it becomes. */
export function stepFailureOf(error: unknown): unknown {
  if (error instanceof AttestationFailure) return new OobeStepFailure(error.code, error.message, { hresult: error.hresult, cause: error });
  if (error instanceof ProtocolError) return new OobeStepFailure(error.code, error.message, { hresult: error.hresult, cause: error });
  return error;
}
