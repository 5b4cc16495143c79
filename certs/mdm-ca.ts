/**
 * The MDM device CA: the issuer of the client certificates enrolled devices present to the management server over
 * mutual TLS, modelled on Intune's "Microsoft Intune MDM Device CA". Self-signed RSA-2048 under
 * `<home>/pki/mdm/MdmDeviceCA/`, created on first use; the enrollment response installs it in the device's Root
 * store and the client certificate in its My store.
 */
import { randomBytes } from "node:crypto";
import path from "node:path";
import { issueCaCertificate, keyIdentifierOf } from "./ca-certificate.js";
import { createDirectoryOnce, errorCode, readCaFiles, writeCaFiles } from "./ca-files.js";
import { PkiError } from "./errors.js";
import { generateCaKeyPair } from "./signing-key.js";
import { SIMULATED_UNIT } from "./vendors.js";
import { x509 } from "./x509.js";

/** File name of the MDM device CA. */
export const MDM_CA_NAME = "MdmDeviceCA";
/** Common name of the MDM device CA. */
export const MDM_CA_COMMON_NAME = "apsim MDM Device CA";

/** Client certificates live a year, as Intune's do (renewal is the device's business). */
export const MDM_CLIENT_VALIDITY_DAYS = 365;
/** Backdating of notBefore, so a device clock slightly behind the service's still accepts a fresh certificate. */
const NOT_BEFORE_SLACK_MS = 10 * 60 * 1000;
const DAY_MS = 86_400_000;
const CA_NOT_BEFORE = new Date("2015-01-01T00:00:00Z");
const CA_NOT_AFTER = new Date("2049-12-31T23:59:59Z");

/** The MDM device CA with its signing key. */
export interface MdmCa {
  readonly certificate: x509.X509Certificate;
  readonly certificatePem: string;
  /** Non-extractable signing key; never log it. */
  readonly privateKey: CryptoKey;
}

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

function mdmDir(home: string): string {
  return path.join(home, "pki", "mdm");
}

async function readMdmCa(home: string): Promise<MdmCa | undefined> {
  try {
    return await readCaFiles(path.join(mdmDir(home), MDM_CA_NAME), MDM_CA_NAME, "rsa");
  } catch (error) {
    if (errorCode(error) === "ENOENT") return undefined;
    throw error;
  }
}

/** The MDM device CA of `home`, created on first use (safe when processes create it at once). */
export async function loadMdmCa(home: string): Promise<MdmCa> {
  const existing = await readMdmCa(home);
  if (existing !== undefined) return existing;
  await createDirectoryOnce(mdmDir(home), MDM_CA_NAME, async (staging) => {
    const keys = await generateCaKeyPair("rsa");
    const subject = new x509.Name([
      { O: [{ utf8String: "apsim" }] },
      { OU: [{ utf8String: SIMULATED_UNIT }] },
      { CN: [{ utf8String: MDM_CA_COMMON_NAME }] },
    ]);
    const certificate = await issueCaCertificate({
      subject,
      publicKey: keys.publicKey,
      signingKey: keys.privateKey,
      pathLength: 0,
      notBefore: CA_NOT_BEFORE,
      notAfter: CA_NOT_AFTER,
    });
    await writeCaFiles(staging, MDM_CA_NAME, certificate, keys.privateKey);
  });
  const created = await readMdmCa(home);
  if (created === undefined) throw new PkiError("PKI_INCOMPLETE", "MDM device CA is missing after creation");
  return created;
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
  const publicKey = new x509.PublicKey(Uint8Array.from(request.subjectPublicKeyInfo));
  const serial = randomBytes(16);
  serial[0] = serial[0]! & 0x7f;
  if (serial[0] === 0) serial[0] = 1;
  const notBefore = new Date(request.now.getTime() - NOT_BEFORE_SLACK_MS);
  const notAfter = new Date(request.now.getTime() + (request.validityDays ?? MDM_CLIENT_VALIDITY_DAYS) * DAY_MS);
  return x509.X509CertificateGenerator.create({
    serialNumber: serial.toString("hex"),
    subject: new x509.Name([{ CN: [{ utf8String: request.commonName }] }]),
    issuer: ca.certificate.subjectName,
    publicKey,
    signingKey: ca.privateKey,
    notBefore,
    notAfter,
    signingAlgorithm: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
      await x509.SubjectKeyIdentifierExtension.create(publicKey),
      new x509.AuthorityKeyIdentifierExtension(await keyIdentifierOf(ca.certificate)),
    ],
  });
}
