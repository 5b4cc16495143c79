/**
 * Where a firmware-TPM vendor publishes the EK certificates its online service answers with (Intel PTT, AMD
 * fTPM and Qualcomm keep none in the TPM's NV): one DER file per EK under
 * `<home>/pki/vendors/<CODE>/ek-certificates/<sha256 hex of the EK's SubjectPublicKeyInfo>.der`.
 * The vendor endpoints index these files by the identifiers each vendor style computes from the EK public key.
 */
import { createHash, createPublicKey, type KeyObject } from "node:crypto";
import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { ensurePrivateDir, writeFileAtomic } from "../lib/index.js";
import { errorCode } from "./ca-files.js";
import { readCertificate } from "./certificate-reader.js";
import { PkiError } from "./errors.js";
import { loadVendorPki } from "./vendor-pki.js";
import { findVendor, type VendorPkiIdentity } from "./vendors.js";

const PUBLISHED_DIR = "ek-certificates";
const PUBLIC_FILE_MODE = 0o644;
const CERTIFICATE_FILE = /^([0-9a-f]{64})\.der$/;
/** Beside a certificate published for another key than its own (the `foreign-ek-cert` fault): the EK's SPKI. */
const EK_KEY_SUFFIX = ".spki";

/** One published EK certificate. */
export interface PublishedEkCertificate {
  /** Lower-case hex SHA-256 of the EK's SubjectPublicKeyInfo DER: the file's name without `.der`. */
  readonly name: string;
  /** The certificate (DER) as published. */
  readonly certificate: Uint8Array<ArrayBuffer>;
  /** The EK it is published for: the certificate's own key unless published for another one. */
  readonly ekPublicKey: KeyObject;
}

/** Options of {@link publishEkCertificate}. */
export interface PublishEkCertificateOptions {
  /**
   * The EK the certificate is published for, when it is not the certificate's own key (a certificate made
   * for another TPM's EK, as the `foreign-ek-cert` fault makes): lookups by this EK then answer with it.
   */
  readonly ekPublicKey?: KeyObject;
}

function vendorOf(code: string): VendorPkiIdentity {
  const vendor = findVendor(code);
  if (vendor === undefined) throw new PkiError("UNKNOWN_VENDOR", `unknown TPM vendor: ${code}`);
  return vendor;
}

function publishedDir(home: string, vendor: VendorPkiIdentity): string {
  return path.join(home, "pki", "vendors", vendor.code, PUBLISHED_DIR);
}

function spkiOf(key: KeyObject): Buffer {
  if (key.type !== "public" || (key.asymmetricKeyType !== "rsa" && key.asymmetricKeyType !== "ec")) {
    throw new PkiError("EK_CERT_MALFORMED", "an EK is an RSA or EC public key");
  }
  return key.export({ type: "spki", format: "der" });
}

function certificateKey(der: Uint8Array): KeyObject {
  let spki: Uint8Array;
  try {
    spki = readCertificate(der).subjectPublicKeyInfo;
  } catch (error) {
    throw new PkiError("EK_CERT_MALFORMED", "not an X.509 certificate", { cause: error });
  }
  return createPublicKey({ key: Buffer.from(spki), format: "der", type: "spki" });
}

/** The vendor's directory is made whole by loadVendorPki; publishing into it first would make that fail. */
async function ensureVendorPki(home: string, vendor: VendorPkiIdentity): Promise<void> {
  try {
    await stat(path.join(home, "pki", "vendors", vendor.code));
  } catch (error) {
    if (errorCode(error) !== "ENOENT") throw error;
    await loadVendorPki(home, vendor.code);
  }
}

/**
 * Publishes an EK certificate (DER) at vendor `vendorCode`'s online service: written atomically as
 * `<sha256 hex of the EK's SPKI>.der`, replacing an earlier certificate for the same EK. Creates the
 * vendor's PKI first when the home has none yet.
 * @throws PkiError UNKNOWN_VENDOR, or EK_CERT_MALFORMED when `der` is not a certificate of an RSA or EC key.
 */
export async function publishEkCertificate(
  home: string,
  vendorCode: string,
  der: Uint8Array,
  options: PublishEkCertificateOptions = {},
): Promise<PublishedEkCertificate> {
  const vendor = vendorOf(vendorCode);
  const ownKey = spkiOf(certificateKey(der));
  const ekSpki = options.ekPublicKey === undefined ? ownKey : spkiOf(options.ekPublicKey);
  const name = createHash("sha256").update(ekSpki).digest("hex");
  await ensureVendorPki(home, vendor);
  const dir = publishedDir(home, vendor);
  await ensurePrivateDir(dir);
  // The key goes first: a listed certificate must never lack the key it is published for.
  if (!ekSpki.equals(ownKey)) await writeFileAtomic(path.join(dir, name + EK_KEY_SUFFIX), ekSpki, { mode: PUBLIC_FILE_MODE });
  await writeFileAtomic(path.join(dir, `${name}.der`), der, { mode: PUBLIC_FILE_MODE });
  return { name, certificate: Uint8Array.from(der), ekPublicKey: createPublicKey({ key: ekSpki, format: "der", type: "spki" }) };
}

async function readIfPresent(file: string): Promise<Buffer | undefined> {
  try {
    return await readFile(file);
  } catch (error) {
    if (errorCode(error) === "ENOENT") return undefined;
    throw error;
  }
}

async function readPublished(dir: string, name: string): Promise<PublishedEkCertificate | undefined> {
  const certificate = await readIfPresent(path.join(dir, `${name}.der`));
  if (certificate === undefined) return undefined;
  const ekSpki = await readIfPresent(path.join(dir, name + EK_KEY_SUFFIX));
  try {
    const ekPublicKey = ekSpki === undefined ? certificateKey(certificate) : createPublicKey({ key: ekSpki, format: "der", type: "spki" });
    return { name, certificate: new Uint8Array(certificate), ekPublicKey };
  } catch {
    return undefined;
  }
}

/**
 * The EK certificates vendor `vendorCode` publishes, skipping the names in `known` (a reader that keeps an
 * index passes what it has already read). Files that are not certificates are left out.
 */
export async function listPublishedEkCertificates(
  home: string,
  vendorCode: string,
  known: ReadonlySet<string> = new Set(),
): Promise<PublishedEkCertificate[]> {
  const dir = publishedDir(home, vendorOf(vendorCode));
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (error) {
    if (errorCode(error) === "ENOENT") return [];
    throw error;
  }
  const names = entries.flatMap((entry) => {
    const name = CERTIFICATE_FILE.exec(entry)?.[1];
    return name === undefined || known.has(name) ? [] : [name];
  });
  const read = await Promise.all(names.map((name) => readPublished(dir, name)));
  return read.filter((entry): entry is PublishedEkCertificate => entry !== undefined);
}
