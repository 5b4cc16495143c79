import { TPM_NT, TPM_RC, TPM_RH, TPMA_NV, TpmError, digestSize, trimAuthValue, type TPMS_NV_PUBLIC } from "../../../tpm2/index.js";
import { MAX_NV_INDEX_SIZE } from "../../capabilities.js";
import type { Tpm } from "../../tpm.js";
import { NO_RESPONSE, defineCommand, handleError, paramError } from "../registry.js";
import { checkProvisionHandle, nvType } from "./nv-access.js";

/** The erased state of NV memory: an index reads as all ones where it was never written. */
const ERASED = 0xff;

function has(attributes: number, bit: number): boolean {
  return (attributes & bit) !== 0;
}

/** Size and type rules (Part 3 §31.3.1): per type, the data size an index must have. */
function checkTypeAndSize(pub: TPMS_NV_PUBLIC, nameSize: number): void {
  const type = nvType(pub.attributes);
  switch (type) {
    case TPM_NT.ORDINARY:
      if (pub.dataSize > MAX_NV_INDEX_SIZE) throw paramError(TPM_RC.SIZE, 2);
      return;
    case TPM_NT.EXTEND:
      if (pub.dataSize !== nameSize) throw paramError(TPM_RC.SIZE, 2);
      return;
    case TPM_NT.COUNTER:
    case TPM_NT.BITS:
      if (pub.dataSize !== 8) throw paramError(TPM_RC.SIZE, 2);
      // Part 3 §31.3.1: a counter may not be cleared by TPM2_Startup
      if (type === TPM_NT.COUNTER && has(pub.attributes, TPMA_NV.CLEAR_STCLEAR)) throw paramError(TPM_RC.ATTRIBUTES, 2);
      return;
    case TPM_NT.PIN_FAIL:
    case TPM_NT.PIN_PASS:
      if (pub.dataSize !== 8) throw paramError(TPM_RC.SIZE, 2);
      // Part 2 §13.4: the index's authValue is what the PIN guards, so it cannot authorize writes to the index;
      // a PIN Fail index counts failures itself instead of the dictionary-attack logic
      if (has(pub.attributes, TPMA_NV.AUTHWRITE)) throw paramError(TPM_RC.ATTRIBUTES, 2);
      if (type === TPM_NT.PIN_FAIL && !has(pub.attributes, TPMA_NV.NO_DA)) throw paramError(TPM_RC.ATTRIBUTES, 2);
      return;
    default:
      throw paramError(TPM_RC.ATTRIBUTES, 2);
  }
}

/** Attribute consistency (Part 3 §31.3.1), in the reference's order. */
function checkAttributes(authHandle: number, pub: TPMS_NV_PUBLIC): void {
  const a = pub.attributes;
  if (has(a, TPMA_NV.WRITTEN) || has(a, TPMA_NV.WRITELOCKED) || has(a, TPMA_NV.READLOCKED)) {
    throw paramError(TPM_RC.ATTRIBUTES, 2);
  }
  const readable = TPMA_NV.OWNERREAD | TPMA_NV.PPREAD | TPMA_NV.AUTHREAD | TPMA_NV.POLICYREAD;
  const writable = TPMA_NV.OWNERWRITE | TPMA_NV.PPWRITE | TPMA_NV.AUTHWRITE | TPMA_NV.POLICYWRITE;
  if (!has(a, readable) || !has(a, writable)) throw paramError(TPM_RC.ATTRIBUTES, 2);
  if (has(a, TPMA_NV.CLEAR_STCLEAR) && has(a, TPMA_NV.WRITEDEFINE)) throw paramError(TPM_RC.ATTRIBUTES, 2);
  // whoever defines an index must be able to delete it
  if (has(a, TPMA_NV.PLATFORMCREATE) !== (authHandle === TPM_RH.PLATFORM)) throw handleError(TPM_RC.ATTRIBUTES, 1);
  // TPM2_NV_UndefineSpaceSpecial needs platform authorization, so only the platform may define such an index
  if (has(a, TPMA_NV.POLICY_DELETE) && authHandle !== TPM_RH.PLATFORM) throw paramError(TPM_RC.ATTRIBUTES, 2);
  if (pub.dataSize > 1024 && has(a, TPMA_NV.WRITEALL)) throw paramError(TPM_RC.SIZE, 2);
}

function validate(tpm: Tpm, authHandle: number, auth: Uint8Array, pub: TPMS_NV_PUBLIC): void {
  checkProvisionHandle(authHandle, 1);
  const nameSize = digestSize(pub.nameAlg);
  if (pub.authPolicy.length !== 0 && pub.authPolicy.length !== nameSize) throw paramError(TPM_RC.SIZE, 2);
  if (trimAuthValue(auth).length > nameSize) throw paramError(TPM_RC.SIZE, 1);
  if (authHandle === TPM_RH.PLATFORM && !tpm.phEnableNV) throw handleError(TPM_RC.HIERARCHY, 1);
  checkTypeAndSize(pub, nameSize);
  checkAttributes(authHandle, pub);
  if (tpm.nvIndex(pub.nvIndex)) throw new TpmError(TPM_RC.NV_DEFINED);
  if (tpm.state.nv.length >= tpm.limits.nvIndices) throw new TpmError(TPM_RC.NV_SPACE);
}

/**
 * Part 3 §31.3 TPM2_NV_DefineSpace: a new NV index of type ordinary, counter, bits or extend, defined with owner
 * authorization, or with platform authorization when TPMA_NV_PLATFORMCREATE is set (and always for
 * TPMA_NV_POLICY_DELETE, whose index only TPM2_NV_UndefineSpaceSpecial removes). Its data reads as erased
 * (all ones) until written; its authValue is kept without trailing zeros.
 * RCs: TPM_RC_VALUE (handle 1 not owner or platform), TPM_RC_HIERARCHY (handle 1: platform NV disabled),
 * TPM_RC_ATTRIBUTES (handle 1: PLATFORMCREATE does not match authHandle; parameter 2: inconsistent attributes,
 * POLICY_DELETE without platform authorization, or a PIN type), TPM_RC_SIZE (parameter 1: auth longer than the
 * nameAlg digest; parameter 2: authPolicy size, data size for the type, or WRITEALL above the NV buffer),
 * TPM_RC_NV_DEFINED, TPM_RC_NV_SPACE.
 */
export const nvDefineSpace = defineCommand(
  "NV_DefineSpace",
  (tpm, { handles, params }) => {
    const authHandle = handles[0]!;
    const pub = params.publicInfo;
    validate(tpm, authHandle, params.auth, pub);
    tpm.state.nv.push({
      public: { ...pub, authPolicy: Buffer.from(pub.authPolicy) },
      authValue: Buffer.from(trimAuthValue(params.auth)),
      data: Buffer.alloc(pub.dataSize, ERASED),
    });
    return NO_RESPONSE;
  },
  { writesNv: true },
);
