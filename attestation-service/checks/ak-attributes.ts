import { ProtocolError } from "../../protocol/index.js";
import { TPMA_OBJECT, type TPMT_PUBLIC } from "../../tpm2/index.js";

const REQUIRED: readonly (keyof typeof TPMA_OBJECT)[] = ["fixedTPM", "fixedParent", "sensitiveDataOrigin", "restricted", "sign"];

/**
 * An AK must never leave its TPM and must only sign TPM-generated data: fixedTPM, fixedParent,
 * sensitiveDataOrigin, restricted and sign set, decrypt clear (go-attestation CheckAKParameters; Part 1 §25.2
 * restricted signing keys).
 * @throws ProtocolError AK_ATTRIBUTES_INVALID
 */
export function checkAkAttributes(akPublic: TPMT_PUBLIC): void {
  const attributes = akPublic.objectAttributes;
  const missing = REQUIRED.filter((name) => (attributes & TPMA_OBJECT[name]) === 0);
  if (missing.length > 0) throw new ProtocolError("AK_ATTRIBUTES_INVALID", `missing ${missing.join(", ")}`);
  if ((attributes & TPMA_OBJECT.decrypt) !== 0) throw new ProtocolError("AK_ATTRIBUTES_INVALID", "decrypt is set");
}
