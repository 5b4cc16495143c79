/**
 * The MDM device CA: the issuer of the client certificates enrolled devices present to the management server over
 * mutual TLS, modelled on Intune's "Microsoft Intune MDM Device CA". Self-signed RSA-2048 under
 * `<home>/pki/mdm/MdmDeviceCA/`, created on first use; the enrollment response installs it in the device's Root
 * store and the client certificate in its My store.
 */
import { PkiError } from "./errors.js";
import { issueClientCertificate, loadServiceCa, type ServiceCa } from "./service-ca.js";
import { x509 } from "./x509.js";

/** File name of the MDM device CA. */
export const MDM_CA_NAME = "MdmDeviceCA";
/** Common name of the MDM device CA. */
export const MDM_CA_COMMON_NAME = "apsim MDM Device CA";

/** Client certificates live a year, as Intune's do (renewal is the device's business). */
export const MDM_CLIENT_VALIDITY_DAYS = 365;

/** The MDM device CA with its signing key. */
export type MdmCa = ServiceCa;

/** What an MDM client certificate certifies. */
export interface MdmClientCertificateRequest {
  /** The SubjectPublicKeyInfo DER from the device's certificate request. */
  readonly subjectPublicKeyInfo: Uint8Array;
  /** Subject CN: the management server's id for the device. */
  readonly commonName: string;
  /** Issuance time (the service clock). */
  readonly now: Date;
  readonly validityDays?: number;
}

/** The MDM device CA of `home`, created on first use (safe when processes create it at once). */
export function loadMdmCa(home: string): Promise<MdmCa> {
  return loadServiceCa(home, { folder: "mdm", name: MDM_CA_NAME, commonName: MDM_CA_COMMON_NAME, description: "MDM device CA" });
}

/**
 * Issues an MDM client certificate for the key of a device's request: subject `CN=<commonName>`, keyUsage
 * digitalSignature|keyEncipherment (critical), EKU clientAuth, not a CA, SKI/AKI, a random positive 128-bit serial,
 * valid from shortly before `now` for a year. Signed with SHA-256.
 */
export async function issueMdmClientCertificate(ca: MdmCa, request: MdmClientCertificateRequest): Promise<x509.X509Certificate> {
  if (request.commonName === "" || request.commonName.length > 64) {
    throw new PkiError("CA_REQUEST_INVALID", "an MDM client certificate needs a CN of 1 to 64 characters");
  }
  return issueClientCertificate(ca, {
    subjectPublicKeyInfo: request.subjectPublicKeyInfo,
    commonName: request.commonName,
    now: request.now,
    validityDays: request.validityDays ?? MDM_CLIENT_VALIDITY_DAYS,
    keyUsages: x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
  });
}
