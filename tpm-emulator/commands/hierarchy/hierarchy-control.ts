import { TPM_RC, TPM_RH, TpmError } from "../../../tpm2/index.js";
import { NO_RESPONSE, defineCommand } from "../registry.js";

/**
 * Part 3 §24.5 TPM2_HierarchyControl: enables or disables the owner (shEnable) or endorsement (ehEnable)
 * hierarchy, the platform hierarchy (phEnable) or platform NV (phEnableNV). Only platformAuth may touch the
 * platform, and only platformAuth may re-enable a hierarchy; disabling one flushes its loaded objects.
 * RCs: TPM_RC_VALUE (H1: not owner/endorsement/platform; P1: not a hierarchy that can be enabled),
 * TPM_RC_AUTH_TYPE (this authorization may not make this change).
 */
export const hierarchyControl = defineCommand(
  "HierarchyControl",
  (tpm, { handles, params }) => {
    const authHandle = handles[0]!;
    const { enable, state } = params;
    switch (enable) {
      case TPM_RH.PLATFORM:
      case TPM_RH.PLATFORM_NV:
        if (authHandle !== TPM_RH.PLATFORM) throw new TpmError(TPM_RC.AUTH_TYPE);
        break;
      case TPM_RH.OWNER:
      case TPM_RH.ENDORSEMENT: {
        if (authHandle !== TPM_RH.PLATFORM && authHandle !== enable) throw new TpmError(TPM_RC.AUTH_TYPE);
        const enabled = enable === TPM_RH.OWNER ? tpm.state.shEnable : tpm.state.ehEnable;
        if (!enabled && state && authHandle !== TPM_RH.PLATFORM) throw new TpmError(TPM_RC.AUTH_TYPE);
        break;
      }
    }
    if (enable === TPM_RH.OWNER) tpm.state.shEnable = state;
    else if (enable === TPM_RH.ENDORSEMENT) tpm.state.ehEnable = state;
    else if (enable === TPM_RH.PLATFORM) tpm.phEnable = state;
    else tpm.phEnableNV = state;
    if (!state && enable !== TPM_RH.PLATFORM_NV) tpm.flushHierarchy(enable);
    return NO_RESPONSE;
  },
  { writesNv: true },
);
