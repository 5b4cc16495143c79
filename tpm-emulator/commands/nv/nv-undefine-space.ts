import { TPM_RC, TPM_RH, TPMA_NV, TpmError } from "../../../tpm2/index.js";
import { NO_RESPONSE, defineCommand, handleError } from "../registry.js";
import { accessibleIndex, checkProvisionHandle, deleteNvIndices } from "./nv-access.js";

/**
 * Part 3 §31.4 TPM2_NV_UndefineSpace: removes an index. The platform may remove any index; the owner only those it
 * created.
 * RCs: TPM_RC_VALUE (handle 1 not owner or platform; handle 2 not an NV index), TPM_RC_HANDLE (handle 2 not
 * defined or hidden), TPM_RC_ATTRIBUTES (handle 2: TPMA_NV_POLICY_DELETE), TPM_RC_NV_AUTHORIZATION (owner removing a
 * platform-created index).
 */
export const nvUndefineSpace = defineCommand(
  "NV_UndefineSpace",
  (tpm, { handles }) => {
    const [authHandle, nvHandle] = handles as [number, number];
    checkProvisionHandle(authHandle, 1);
    const index = accessibleIndex(tpm, nvHandle, 2);
    const attributes = index.public.attributes;
    if (attributes & TPMA_NV.POLICY_DELETE) throw handleError(TPM_RC.ATTRIBUTES, 2);
    if (authHandle === TPM_RH.OWNER && attributes & TPMA_NV.PLATFORMCREATE) throw new TpmError(TPM_RC.NV_AUTHORIZATION);
    deleteNvIndices(tpm.state, (n) => n === index);
    return NO_RESPONSE;
  },
  { writesNv: true },
);
