/**
 * The device registration CA: the issuer of device identity certificates, modelled on Entra's
 * "MS-Organization-Access" CA that certifies a joined device's key. Self-signed RSA-2048 under
 * `<home>/pki/device-registration/DeviceRegistrationCA/`, created on first use. A device identity certificate names
 * the device (subject CN = device id) and certifies the device key the device made in its TPM.
 */
import { PkiError } from "./errors.js";
import { issueClientCertificate, loadServiceCa, type ServiceCa } from "./service-ca.js";
import { x509 } from "./x509.js";

/** File name of the device registration CA. */
export const DEVICE_REGISTRATION_CA_NAME = "DeviceRegistrationCA";
/** Common name of the device registration CA (Entra's is `MS-Organization-Access`). */
export const DEVICE_REGISTRATION_CA_COMMON_NAME = "apsim MS-Organization-Access";

/** Entra device certificates are valid ten years. */
export const DEVICE_IDENTITY_VALIDITY_DAYS = 3650;
const DEVICE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The device registration CA with its signing key. */
export type DeviceRegistrationCa = ServiceCa;

/** What a device identity certificate certifies. */
export interface DeviceIdentityCertificateRequest {
  /** The device id (a lower-case UUID): the subject CN. */
  readonly deviceId: string;
  /** SubjectPublicKeyInfo DER of the device key. */
  readonly subjectPublicKeyInfo: Uint8Array;
  /** Issuance time (the service clock). */
  readonly now: Date;
  readonly validityDays?: number;
}

/** The device registration CA of `home`, created on first use (safe when processes create it at once). */
export function loadDeviceRegistrationCa(home: string): Promise<DeviceRegistrationCa> {
  return loadServiceCa(home, {
    folder: "device-registration",
    name: DEVICE_REGISTRATION_CA_NAME,
    commonName: DEVICE_REGISTRATION_CA_COMMON_NAME,
    description: "device registration CA",
  });
}

/**
 * Issues a device identity certificate: subject `CN=<deviceId>`, the device key's public key, keyUsage
 * digitalSignature (critical), EKU clientAuth, not a CA, SKI/AKI, a random positive 128-bit serial, valid from
 * shortly before `now`. Signed with SHA-256.
 * @throws PkiError CA_REQUEST_INVALID for a device id that is not a lower-case UUID or a key that does not parse.
 */
export async function issueDeviceIdentityCertificate(ca: DeviceRegistrationCa, request: DeviceIdentityCertificateRequest): Promise<x509.X509Certificate> {
  if (!DEVICE_ID.test(request.deviceId)) throw new PkiError("CA_REQUEST_INVALID", "a device id is a lower-case UUID");
  return issueClientCertificate(ca, {
    subjectPublicKeyInfo: request.subjectPublicKeyInfo,
    commonName: request.deviceId,
    now: request.now,
    validityDays: request.validityDays ?? DEVICE_IDENTITY_VALIDITY_DAYS,
    keyUsages: x509.KeyUsageFlags.digitalSignature,
  });
}
