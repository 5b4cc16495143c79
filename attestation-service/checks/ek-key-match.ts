import type { KeyObject } from "node:crypto";
import { ProtocolError } from "../../protocol/index.js";
import { publicKeyOf, type TPMT_PUBLIC } from "../../tpm2/index.js";

/** The DER SubjectPublicKeyInfo of a TPM public area (its key as X.509 states it). */
export function spkiOf(publicArea: TPMT_PUBLIC): Buffer {
  return publicKeyOf(publicArea).export({ type: "spki", format: "der" });
}

/**
 * The EK the TPM presents must be the key its certificate certifies (keylime _check_ek), compared as
 * SubjectPublicKeyInfo so that an RSA exponent of 0 in the TPM's encoding equals 65537 in the certificate's.
 * @throws ProtocolError EK_KEY_MISMATCH
 */
export function checkEkKeyMatchesCertificate(ekPublic: TPMT_PUBLIC, certificateKey: KeyObject): void {
  let ekSpki: Buffer;
  try {
    ekSpki = spkiOf(ekPublic);
  } catch (error) {
    throw new ProtocolError("MALFORMED_TPM_STRUCTURE", `ekPublic: ${(error as Error).message}`, { cause: error });
  }
  if (!ekSpki.equals(certificateKey.export({ type: "spki", format: "der" }))) {
    throw new ProtocolError("EK_KEY_MISMATCH");
  }
}
