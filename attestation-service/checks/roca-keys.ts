import { ProtocolError } from "../../protocol/index.js";
import { TPM_ALG, bytesToBigInt, hasRocaFingerprint, type TPMT_PUBLIC } from "../../tpm2/index.js";

/**
 * Refuses RSA keys with the ROCA fingerprint (CVE-2017-15361, ADV170012): a TPM that generated its EK or AK with
 * the vulnerable library has factorable keys whatever its firmware claims. ECC keys pass.
 * @param keys what each key is ("EK", "AK") and its public area.
 * @throws ProtocolError TPM_VULNERABLE_KEY
 */
export function checkNoRocaFingerprint(keys: readonly { readonly what: string; readonly publicArea: TPMT_PUBLIC }[]): void {
  for (const { what, publicArea } of keys) {
    if (publicArea.type !== TPM_ALG.RSA) continue;
    if (hasRocaFingerprint(bytesToBigInt(publicArea.unique as Uint8Array))) {
      throw new ProtocolError("TPM_VULNERABLE_KEY", `${what} modulus has the ROCA fingerprint`);
    }
  }
}
