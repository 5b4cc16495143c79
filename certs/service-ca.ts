/**
 * The issuing CAs of the deployment service (the MDM device CA, the device registration CA): self-signed RSA-2048
 * under `<home>/pki/<folder>/<name>/`, made on first use, and the client certificates they issue for a key a device
 * made. One shape for both, so that each CA is a few lines of configuration.
 */
import { randomBytes } from "node:crypto";
import path from "node:path";
import { issueCaCertificate, keyIdentifierOf } from "./ca-certificate.js";
import { createDirectoryOnce, errorCode, readCaFiles, writeCaFiles } from "./ca-files.js";
import { PkiError } from "./errors.js";
import { generateCaKeyPair } from "./signing-key.js";
import { SIMULATED_UNIT } from "./vendors.js";
import { x509 } from "./x509.js";

/** Backdating of notBefore, so a device clock slightly behind the service's still accepts a fresh certificate. */
const NOT_BEFORE_SLACK_MS = 10 * 60 * 1000;
const DAY_MS = 86_400_000;
const CA_NOT_BEFORE = new Date("2015-01-01T00:00:00Z");
const CA_NOT_AFTER = new Date("2049-12-31T23:59:59Z");

/** A service CA with its signing key. */
export interface ServiceCa {
  readonly certificate: x509.X509Certificate;
  readonly certificatePem: string;
  /** Non-extractable signing key; never log it. */
  readonly privateKey: CryptoKey;
}

/** Where a service CA lives and what it is called. */
export interface ServiceCaIdentity {
  /** Folder under `<home>/pki/`. */
  readonly folder: string;
  /** File name of the CA. */
  readonly name: string;
  readonly commonName: string;
  /** What the CA is, for errors. */
  readonly description: string;
}

async function readServiceCa(home: string, identity: ServiceCaIdentity): Promise<ServiceCa | undefined> {
  try {
    return await readCaFiles(path.join(home, "pki", identity.folder, identity.name), identity.name, "rsa");
  } catch (error) {
    if (errorCode(error) === "ENOENT") return undefined;
    throw error;
  }
}

/** The CA of `home`, created on first use (safe when processes create it at once). */
export async function loadServiceCa(home: string, identity: ServiceCaIdentity): Promise<ServiceCa> {
  const existing = await readServiceCa(home, identity);
  if (existing !== undefined) return existing;
  await createDirectoryOnce(path.join(home, "pki", identity.folder), identity.name, async (staging) => {
    const keys = await generateCaKeyPair("rsa");
    const certificate = await issueCaCertificate({
      subject: new x509.Name([{ O: [{ utf8String: "apsim" }] }, { OU: [{ utf8String: SIMULATED_UNIT }] }, { CN: [{ utf8String: identity.commonName }] }]),
      publicKey: keys.publicKey,
      signingKey: keys.privateKey,
      pathLength: 0,
      notBefore: CA_NOT_BEFORE,
      notAfter: CA_NOT_AFTER,
    });
    await writeCaFiles(staging, identity.name, certificate, keys.privateKey);
  });
  const created = await readServiceCa(home, identity);
  if (created === undefined) throw new PkiError("PKI_INCOMPLETE", `${identity.description} is missing after creation`);
  return created;
}

/** What a client certificate certifies. */
export interface ClientCertificateRequest {
  /** SubjectPublicKeyInfo DER of the device's key. */
  readonly subjectPublicKeyInfo: Uint8Array;
  /** Subject CN. */
  readonly commonName: string;
  /** Issuance time (the service clock). */
  readonly now: Date;
  readonly validityDays: number;
  readonly keyUsages: x509.KeyUsageFlags;
}

/**
 * Issues a client certificate: subject `CN=<commonName>`, the given keyUsage (critical), EKU clientAuth, not a CA,
 * SKI/AKI, a random positive 128-bit serial, valid from shortly before `now`. Signed with SHA-256.
 * @throws PkiError CA_REQUEST_INVALID for a key that does not parse.
 */
export async function issueClientCertificate(ca: ServiceCa, request: ClientCertificateRequest): Promise<x509.X509Certificate> {
  let publicKey: x509.PublicKey;
  try {
    publicKey = new x509.PublicKey(Uint8Array.from(request.subjectPublicKeyInfo));
  } catch (error) {
    throw new PkiError("CA_REQUEST_INVALID", `the key does not parse: ${(error as Error).message}`);
  }
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) || 1;
  return x509.X509CertificateGenerator.create({
    serialNumber: serial.toString("hex"),
    subject: new x509.Name([{ CN: [{ utf8String: request.commonName }] }]),
    issuer: ca.certificate.subjectName,
    publicKey,
    signingKey: ca.privateKey,
    notBefore: new Date(request.now.getTime() - NOT_BEFORE_SLACK_MS),
    notAfter: new Date(request.now.getTime() + request.validityDays * DAY_MS),
    signingAlgorithm: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(request.keyUsages, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
      await x509.SubjectKeyIdentifierExtension.create(publicKey),
      new x509.AuthorityKeyIdentifierExtension(await keyIdentifierOf(ca.certificate)),
    ],
  });
}
