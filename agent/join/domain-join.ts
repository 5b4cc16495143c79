/**
 * Hybrid join on the device: the offline domain join blob the service returned is applied (as `djoin /requestODJ`
 * does) and the device checks that it has line of sight to the domain controller the blob names, by proving its
 * machine account over the DC's secure channel. An unreachable DC ends the join with 0x80070774, as Autopilot shows.
 */
import {
  DOMAIN_CONTROLLER_SECURE_CHANNEL_PATH,
  ProtocolError,
  normalizeBaseUrl,
  parseOdjBlob,
  resolveVirtualUrl,
  type OdjBlob,
} from "../../protocol/index.js";
import { postJson, type Exchange } from "../attestation/http-exchange.js";
import { AttestationFailure } from "../attestation/outcome.js";

/** The domain the device joined. */
export interface DomainMembership {
  readonly domain: string;
  readonly machineName: string;
  readonly domainController: string;
}

function decodeBlob(blob: string): OdjBlob {
  try {
    return parseOdjBlob(blob);
  } catch (error) {
    if (error instanceof ProtocolError) throw AttestationFailure.of("HYBRID_ODJ_INVALID", error.message, error);
    throw error;
  }
}

/**
 * Applies the blob and proves the machine account to its domain controller (a virtual host under `serverUrl`).
 * @throws AttestationFailure HYBRID_ODJ_INVALID (malformed blob, account refused), HYBRID_DC_UNREACHABLE.
 */
export async function applyOfflineDomainJoin(blob: string, serverUrl: string, exchange: Exchange): Promise<DomainMembership> {
  const odj = decodeBlob(blob);
  const url = resolveVirtualUrl(`https://${odj.domainController}/${DOMAIN_CONTROLLER_SECURE_CHANNEL_PATH}`, normalizeBaseUrl(serverUrl));
  let answer: unknown;
  try {
    answer = await postJson(url, { machineName: odj.machineName, machinePassword: odj.machinePassword }, exchange);
  } catch (error) {
    if (!(error instanceof AttestationFailure)) throw error;
    if (error.unreachable || error.code === "SERVICE_UNREACHABLE") {
      throw AttestationFailure.of("HYBRID_DC_UNREACHABLE", `${odj.domainController}: ${error.message}`, error);
    }
    throw AttestationFailure.of("HYBRID_ODJ_INVALID", `${odj.domainController} refused the machine account: ${error.code}`, error);
  }
  const domain = (answer as { domain?: unknown } | null)?.domain;
  if (typeof domain !== "string" || domain.toLowerCase() !== odj.domain.toLowerCase()) {
    throw AttestationFailure.of("HYBRID_ODJ_INVALID", `${odj.domainController} is not a controller of ${odj.domain}`);
  }
  return { domain: odj.domain, machineName: odj.machineName, domainController: odj.domainController };
}
