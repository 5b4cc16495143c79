import type { NvIndexRecord } from "../../state.js";
import type { Tpm } from "../../tpm.js";
import type { CommandContext } from "../registry.js";
import { accessibleIndex, checkNvAuthHandle } from "./nv-access.js";
import { checkNvWrittenPolicies } from "./nv-written-policy.js";

/** The authorization handle and index of a command whose handle area is (authHandle, nvIndex) at positions n, n+1. */
export interface NvTarget {
  authHandle: number;
  index: NvIndexRecord;
}

/**
 * The checks every (authHandle, nvIndex) command starts with: authHandle is owner, platform or an index
 * (TPM_RC_VALUE), the index is visible (TPM_RC_HANDLE), and the policy sessions' TPM2_PolicyNvWritten assertions
 * hold (TPM_RC_POLICY_FAIL).
 * @param first the position of authHandle in the handle area (1-based).
 */
export function nvTarget(tpm: Tpm, handles: readonly number[], ctx: CommandContext, first = 1): NvTarget {
  const authHandle = handles[first - 1]!;
  checkNvAuthHandle(authHandle, first);
  const index = accessibleIndex(tpm, handles[first]!, first + 1);
  checkNvWrittenPolicies(tpm, handles, ctx.authSessions);
  return { authHandle, index };
}
