import { TPMA_OBJECT, TPM_ALG } from "../../../tpm2/index.js";
import { parentSymDef } from "../../object-create.js";
import type { TpmObject } from "../../objects.js";

/** ObjectIsStorage: a restricted RSA or ECC decryption key that does not sign — one that can receive a seed. */
export function isStorageKey(object: TpmObject): boolean {
  const { type, objectAttributes: attrs } = object.publicArea;
  return (
    (type === TPM_ALG.RSA || type === TPM_ALG.ECC) &&
    (attrs & TPMA_OBJECT.restricted) !== 0 &&
    (attrs & TPMA_OBJECT.decrypt) !== 0 &&
    (attrs & TPMA_OBJECT.sign) === 0
  );
}

/** The key size of the symmetric algorithm a parent protects its children (and duplicates) with. */
export function protectionKeyBits(parent: TpmObject): number {
  return parentSymDef(parent)?.keyBits ?? 0;
}
