import { KeyObject } from "node:crypto";
import { PkiError, spkiOfTpmPublic, type EkCertificateFacts } from "../../certs/index.js";
import { ProtocolError } from "../../protocol/index.js";
import { publicKeyOf, type TPMT_PUBLIC } from "../../tpm2/index.js";

/** The DER SubjectPublicKeyInfo of a TPM public area (its key as X.509 states it). */
export function spkiOf(publicArea: TPMT_PUBLIC): Buffer {
  return publicKeyOf(publicArea).export({ type: "spki", format: "der" });
}

/**
 * The EK the TPM presents must be the key its certificate certifies (keylime _check_ek), compared as
 * SubjectPublicKeyInfo so that an RSA exponent of 0 in the TPM's encoding equals 65537 in the certificate's.
 * When the certificate's SubjectPublicKeyInfo is at hand and has the form node:crypto exports, the two are compared
 * as bytes, encoding the TPM's key directly (no key import or export). Returns the EK's SubjectPublicKeyInfo in
 * that form.
 * @param certificate the certificate's key, or the EK certificate as readEkCertificate read it.
 * @throws ProtocolError EK_KEY_MISMATCH; EK_CERT_MALFORMED when the certificate's key is unreadable
 */
export function checkEkKeyMatchesCertificate(
  ekPublic: TPMT_PUBLIC,
  certificate: KeyObject | Pick<EkCertificateFacts, "publicKey" | "subjectPublicKeyInfo">,
): Buffer {
  if (!(certificate instanceof KeyObject)) {
    const direct = spkiOfTpmPublic(ekPublic);
    if (direct !== undefined && Buffer.from(direct).equals(certificate.subjectPublicKeyInfo)) return Buffer.from(direct);
  }
  let certificateKey: KeyObject;
  try {
    certificateKey = certificate instanceof KeyObject ? certificate : certificate.publicKey;
  } catch (error) {
    if (error instanceof PkiError) throw new ProtocolError("EK_CERT_MALFORMED", error.message, { cause: error });
    throw error;
  }
  let ekSpki: Buffer;
  try {
    ekSpki = spkiOf(ekPublic);
  } catch (error) {
    throw new ProtocolError("MALFORMED_TPM_STRUCTURE", `ekPublic: ${(error as Error).message}`, { cause: error });
  }
  if (!ekSpki.equals(certificateKey.export({ type: "spki", format: "der" }))) {
    throw new ProtocolError("EK_KEY_MISMATCH");
  }
  return ekSpki;
}
