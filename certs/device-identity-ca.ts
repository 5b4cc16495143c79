/**
 * The device registration CA: the issuer of device identity certificates, modelled on Entra's
 * "MS-Organization-Access" CA that certifies a joined device's key. Self-signed RSA-2048 under
 * `<home>/pki/device-registration/DeviceRegistrationCA/`, created on first use. A device identity certificate names
 * the device (subject CN = device id) and certifies the device key the device made in its TPM.
 */
import { randomBytes } from "node:crypto";
import path from "node:path";
import { issueCaCertificate, keyIdentifierOf } from "./ca-certificate.js";
import { createDirectoryOnce, errorCode, readCaFiles, writeCaFiles } from "./ca-files.js";
import { PkiError } from "./errors.js";
import { generateCaKeyPair } from "./signing-key.js";
import { SIMULATED_UNIT } from "./vendors.js";
import { x509 } from "./x509.js";

/** File name of the device registration CA. */
export const DEVICE_REGISTRATION_CA_NAME = "DeviceRegistrationCA";
/** Common name of the device registration CA (Entra's is `MS-Organization-Access`). */
export const DEVICE_REGISTRATION_CA_COMMON_NAME = "apsim MS-Organization-Access";

/** Entra device certificates are valid ten years. */
export const DEVICE_IDENTITY_VALIDITY_DAYS = 3650;
/** Backdating of notBefore, so a device clock slightly behind the service's accepts a fresh certificate. */
const NOT_BEFORE_SLACK_MS = 10 * 60 * 1000;
const DAY_MS = 86_400_000;
const CA_NOT_BEFORE = new Date("2015-01-01T00:00:00Z");
const CA_NOT_AFTER = new Date("2049-12-31T23:59:59Z");
const DEVICE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The device registration CA with its signing key. */
export interface DeviceRegistrationCa {
  readonly certificate: x509.X509Certificate;
  readonly certificatePem: string;
  /** Non-extractable signing key; never log it. */
  readonly privateKey: CryptoKey;
}

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

function caDir(home: string): string {
  return path.join(home, "pki", "device-registration");
}

async function readCa(home: string): Promise<DeviceRegistrationCa | undefined> {
  try {
    return await readCaFiles(path.join(caDir(home), DEVICE_REGISTRATION_CA_NAME), DEVICE_REGISTRATION_CA_NAME, "rsa");
  } catch (error) {
    if (errorCode(error) === "ENOENT") return undefined;
    throw error;
  }
}

/** The device registration CA of `home`, created on first use (safe when processes create it at once). */
export async function loadDeviceRegistrationCa(home: string): Promise<DeviceRegistrationCa> {
  const existing = await readCa(home);
  if (existing !== undefined) return existing;
  await createDirectoryOnce(caDir(home), DEVICE_REGISTRATION_CA_NAME, async (staging) => {
    const keys = await generateCaKeyPair("rsa");
    const certificate = await issueCaCertificate({
      subject: new x509.Name([
        { O: [{ utf8String: "apsim" }] },
        { OU: [{ utf8String: SIMULATED_UNIT }] },
        { CN: [{ utf8String: DEVICE_REGISTRATION_CA_COMMON_NAME }] },
      ]),
      publicKey: keys.publicKey,
      signingKey: keys.privateKey,
      pathLength: 0,
      notBefore: CA_NOT_BEFORE,
      notAfter: CA_NOT_AFTER,
    });
    await writeCaFiles(staging, DEVICE_REGISTRATION_CA_NAME, certificate, keys.privateKey);
  });
  const created = await readCa(home);
  if (created === undefined) throw new PkiError("PKI_INCOMPLETE", "device registration CA is missing after creation");
  return created;
}

/**
 * Issues a device identity certificate: subject `CN=<deviceId>`, the device key's public key, keyUsage
 * digitalSignature (critical), EKU clientAuth, not a CA, SKI/AKI, a random positive 128-bit serial, valid from
 * shortly before `now`. Signed with SHA-256.
 * @throws PkiError CA_REQUEST_INVALID for a device id that is not a lower-case UUID or a key that does not parse.
 */
export async function issueDeviceIdentityCertificate(ca: DeviceRegistrationCa, request: DeviceIdentityCertificateRequest): Promise<x509.X509Certificate> {
  if (!DEVICE_ID.test(request.deviceId)) throw new PkiError("CA_REQUEST_INVALID", "a device id is a lower-case UUID");
  let publicKey: x509.PublicKey;
  try {
    publicKey = new x509.PublicKey(Uint8Array.from(request.subjectPublicKeyInfo));
  } catch (error) {
    throw new PkiError("CA_REQUEST_INVALID", `the device key does not parse: ${(error as Error).message}`);
  }
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) || 1;
  const notBefore = new Date(request.now.getTime() - NOT_BEFORE_SLACK_MS);
  const notAfter = new Date(request.now.getTime() + (request.validityDays ?? DEVICE_IDENTITY_VALIDITY_DAYS) * DAY_MS);
  return x509.X509CertificateGenerator.create({
    serialNumber: serial.toString("hex"),
    subject: new x509.Name([{ CN: [{ utf8String: request.deviceId }] }]),
    issuer: ca.certificate.subjectName,
    publicKey,
    signingKey: ca.privateKey,
    notBefore,
    notAfter,
    signingAlgorithm: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
      await x509.SubjectKeyIdentifierExtension.create(publicKey),
      new x509.AuthorityKeyIdentifierExtension(await keyIdentifierOf(ca.certificate)),
    ],
  });
}
