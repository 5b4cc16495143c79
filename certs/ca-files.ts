/**
 * How simulated CAs live on disk: `<name>.crt.pem` (mode 0644) and `<name>.key.pem` (PKCS#8, mode 0600) in a
 * 0700 directory that is created whole or not at all.
 */
import { mkdtemp, readFile, rename, rm } from "node:fs/promises";
import path from "node:path";
import { ensurePrivateDir, fsyncDirectory, writeFileAtomic, writeSecretFile } from "../lib/index.js";
import { exportPrivateKeyPem, importCaPrivateKey, type KeyKind } from "./signing-key.js";
import { x509 } from "./x509.js";

const CERT_SUFFIX = ".crt.pem";
const KEY_SUFFIX = ".key.pem";
const PUBLIC_FILE_MODE = 0o644;

/** A CA read back from its files. */
export interface StoredCa {
  readonly certificate: x509.X509Certificate;
  readonly certificatePem: string;
  /** Non-extractable signing key; never log it. */
  readonly privateKey: CryptoKey;
}

/** The `code` of a Node.js system error, if it is one. */
export function errorCode(error: unknown): string | undefined {
  return typeof error === "object" && error !== null && "code" in error ? String(error.code) : undefined;
}

/** Writes a CA's certificate (PEM) and private key (PKCS#8 PEM, 0600) into `dir`. */
export async function writeCaFiles(dir: string, name: string, certificate: x509.X509Certificate, key: CryptoKey): Promise<void> {
  await writeSecretFile(path.join(dir, name + KEY_SUFFIX), await exportPrivateKeyPem(key));
  await writeFileAtomic(path.join(dir, name + CERT_SUFFIX), certificate.toString("pem") + "\n", {
    mode: PUBLIC_FILE_MODE,
  });
}

/** Reads the CA `name` from `dir`; rejects with the file system error (ENOENT when absent). */
export async function readCaFiles(dir: string, name: string, kind: KeyKind): Promise<StoredCa> {
  const certificatePem = await readFile(path.join(dir, name + CERT_SUFFIX), "utf8");
  const keyPem = await readFile(path.join(dir, name + KEY_SUFFIX), "utf8");
  return {
    certificate: new x509.X509Certificate(certificatePem),
    certificatePem,
    privateKey: await importCaPrivateKey(keyPem, kind),
  };
}

/**
 * Creates `<parentDir>/<name>` by populating a staging directory and renaming it into place, so no reader
 * ever sees it half made. When several processes race, the first rename wins and the others discard their
 * work: afterwards the directory exists, made by whoever won.
 */
export async function createDirectoryOnce(
  parentDir: string,
  name: string,
  populate: (stagingDir: string) => Promise<void>,
): Promise<void> {
  await ensurePrivateDir(parentDir);
  const staging = await mkdtemp(path.join(parentDir, `.${name}.tmp-`));
  try {
    await populate(staging);
    await rename(staging, path.join(parentDir, name));
    await fsyncDirectory(parentDir);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    const lostRace = ["EEXIST", "ENOTEMPTY", "EPERM"].includes(errorCode(error) ?? "");
    if (!lostRace) throw error;
  }
}
