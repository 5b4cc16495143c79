/**
 * Physical presence (Part 3 §26.2; the reference's PhysicalPresenceIsRequired with the PP_COMMAND and PP_REQUIRED
 * command attributes): the commands that may be put on the list of those whose platform authorization also needs
 * physical presence asserted, and the check itself.
 */
import { COMMANDS, TPM_CC } from "../tpm2/index.js";
import type { Tpm } from "./tpm.js";

/** Commands with the reference's PP_COMMAND attribute (a handle that platformAuth may authorize). */
const PP_COMMAND_NAMES = [
  "NV_UndefineSpaceSpecial",
  "EvictControl",
  "HierarchyControl",
  "NV_UndefineSpace",
  "ChangeEPS",
  "ChangePPS",
  "Clear",
  "ClearControl",
  "ClockSet",
  "HierarchyChangeAuth",
  "NV_DefineSpace",
  "PCR_Allocate",
  "PCR_SetAuthPolicy",
  "SetPrimaryPolicy",
  "FieldUpgradeStart",
  "ClockRateAdjust",
  "CreatePrimary",
  "NV_GlobalWriteLock",
  "SetCommandCodeAuditStatus",
  "CreateLoaded",
] as const;

/** The implemented commands TPM2_PP_Commands may add to the list. */
export const PP_CAPABLE_COMMANDS: ReadonlySet<number> = new Set(
  PP_COMMAND_NAMES.filter((name) => name in COMMANDS).map((name) => TPM_CC[name]),
);

/** Commands that always need physical presence (PP_REQUIRED): TPM2_PP_Commands cannot take them off the list. */
export const PP_REQUIRED_COMMANDS: ReadonlySet<number> = new Set([TPM_CC.PP_Commands]);

/** Whether platform authorization of `code` needs physical presence on this TPM. */
export function isPhysicalPresenceRequired(tpm: Tpm, code: number): boolean {
  return tpm.state.ppCommands.includes(code);
}
