import { TPMA_NV } from "../../../tpm2/index.js";
import { NO_RESPONSE, defineCommand } from "../registry.js";
import { checkProvisionHandle, setIndexAttributes } from "./nv-access.js";

/**
 * Part 3 §31.12 TPM2_NV_GlobalWriteLock: write-locks every index defined with TPMA_NV_GLOBALLOCK, until the next
 * TPM Reset or Restart (or for good, for a written WRITEDEFINE index).
 * RCs: TPM_RC_VALUE (handle 1 not owner or platform).
 */
export const nvGlobalWriteLock = defineCommand(
  "NV_GlobalWriteLock",
  (tpm, { handles }) => {
    checkProvisionHandle(handles[0]!, 1);
    for (const index of tpm.state.nv) {
      if (index.public.attributes & TPMA_NV.GLOBALLOCK) setIndexAttributes(index, TPMA_NV.WRITELOCKED);
    }
    return NO_RESPONSE;
  },
  { writesNv: true },
);
