import { TCG_OID, certificateFacts, formatTpmId, type AnyCertificate, type ParsedEkCertificate } from "../../certs/index.js";
import { ProtocolError } from "../../protocol/index.js";

/**
 * The EK certificate must say what it is and whose it is (TCG EK Credential Profile §3.2): extendedKeyUsage
 * tcg-kp-EKCertificate (2.23.133.8.1), and a subjectAltName tpmManufacturer equal to the TPM_PT_MANUFACTURER the
 * TPM reports.
 * @throws ProtocolError EK_CERT_WRONG_EKU, EK_CERT_MANUFACTURER_MISMATCH
 */
export function checkEkCertificateProfile(
  certificate: AnyCertificate,
  parsed: ParsedEkCertificate,
  reportedManufacturer: number,
): void {
  const usages = certificateFacts(certificate).extendedKeyUsages ?? [];
  if (!usages.includes(TCG_OID.ekCertificate)) {
    throw new ProtocolError("EK_CERT_WRONG_EKU", usages.length === 0 ? "no extendedKeyUsage" : `EKU ${usages.join(", ")}`);
  }
  if (parsed.manufacturerId !== reportedManufacturer) {
    throw new ProtocolError(
      "EK_CERT_MANUFACTURER_MISMATCH",
      `certificate names ${formatTpmId(parsed.manufacturerId)}, the TPM reports ${formatTpmId(reportedManufacturer >>> 0)}`,
    );
  }
}
