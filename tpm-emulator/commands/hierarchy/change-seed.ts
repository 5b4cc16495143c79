/** What TPM2_ChangePPS and TPM2_ChangeEPS share: a hierarchy loses its objects, persistent objects and NV indices. */
import { TPM_RH, TPMA_NV } from "../../../tpm2/index.js";
import type { Tpm } from "../../tpm.js";
import { deleteNvIndices } from "../nv/nv-access.js";

/** The seed and proof sizes of this TPM's hierarchies (512 bits, the largest digest). */
export const SECRET_SIZE = 64;

/** ObjectFlushHierarchy and NvFlushHierarchy: loaded and persistent objects, and (platform) platform NV indices. */
export function flushHierarchyEverywhere(tpm: Tpm, hierarchy: number): void {
  tpm.flushHierarchy(hierarchy);
  for (const record of [...tpm.state.objects]) if (record.hierarchy === hierarchy) tpm.removePersistent(record.handle);
  if (hierarchy === TPM_RH.PLATFORM) {
    deleteNvIndices(tpm.state, (index) => (index.public.attributes & TPMA_NV.PLATFORMCREATE) !== 0);
  }
}
