import { TPM_ALG, TPM_RC, TPM_RH, TPMA_NV, TpmError, type TPMS_NV_PUBLIC } from "../../../tpm2/index.js";
import type { HierarchyRecord } from "../../state.js";
import type { Tpm } from "../../tpm.js";
import { deleteNvIndices } from "../nv/nv-access.js";
import { notePcrChange } from "../pcr/pcr-banks.js";
import { NO_RESPONSE, defineCommand, handleError } from "../registry.js";

/** The seed and proof sizes of this TPM's hierarchies (512 bits, the largest digest). */
const SECRET_SIZE = 64;

function isPlatformIndex(pub: TPMS_NV_PUBLIC): boolean {
  return (pub.attributes & TPMA_NV.PLATFORMCREATE) !== 0;
}

function withoutAuth(record: HierarchyRecord, secrets: Partial<Pick<HierarchyRecord, "seed" | "proof">>): HierarchyRecord {
  return { ...record, ...secrets, authValue: Buffer.alloc(0), authPolicy: Buffer.alloc(0), authPolicyAlg: TPM_ALG.NULL };
}

/** Part 3 §24.6: what TPM2_Clear takes away from the owner and endorsement hierarchies. */
function clearOwner(tpm: Tpm): void {
  const s = tpm.state;
  s.owner = withoutAuth(s.owner, { seed: tpm.random(SECRET_SIZE), proof: tpm.random(SECRET_SIZE) });
  s.endorsement = withoutAuth(s.endorsement, { proof: tpm.random(SECRET_SIZE) });
  s.lockout = { authValue: Buffer.alloc(0), authPolicy: Buffer.alloc(0), authPolicyAlg: TPM_ALG.NULL };
  s.shEnable = true;
  s.ehEnable = true;
  tpm.flushHierarchy(TPM_RH.OWNER);
  tpm.flushHierarchy(TPM_RH.ENDORSEMENT);
  for (const record of [...s.objects]) {
    if (record.hierarchy === TPM_RH.OWNER || record.hierarchy === TPM_RH.ENDORSEMENT) tpm.removePersistent(record.handle);
  }
  deleteNvIndices(s, (index) => !isPlatformIndex(index.public));
  s.da.failedTries = 0;
  s.resetCount = 0;
  s.restartCount = 0;
  s.clearCount = 0;
}

/**
 * Part 3 §24.6 TPM2_Clear: a new storage primary seed and new owner and endorsement proofs; owner, endorsement and
 * lockout authorizations and policies back to empty; the storage and endorsement hierarchies enabled; their loaded
 * and persistent objects and every owner-created NV index removed; the reset counters back to zero; and
 * pcrUpdateCounter moved, since policies may depend on the owner.
 * RCs: TPM_RC_VALUE (handle 1 is not TPM_RH_LOCKOUT or TPM_RH_PLATFORM), TPM_RC_DISABLED (TPM2_ClearControl
 * disabled Clear).
 */
export const clear = defineCommand(
  "Clear",
  (tpm, { handles }) => {
    const authHandle = handles[0]!;
    if (authHandle !== TPM_RH.LOCKOUT && authHandle !== TPM_RH.PLATFORM) throw handleError(TPM_RC.VALUE, 1);
    if (tpm.state.disableClear) throw new TpmError(TPM_RC.DISABLED);
    clearOwner(tpm);
    notePcrChange(tpm, 0);
    return NO_RESPONSE;
  },
  { writesNv: true },
);
