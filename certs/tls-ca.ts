import { mkdtemp, readFile, rename, rm } from "node:fs/promises";
import path from "node:path";
import { ensurePrivateDir, fsyncDirectory, writeFileAtomic, writeSecretFile } from "../lib/index.js";
import { issueCaCertificate, keyIdentifierOf } from "./ca-certificate.js";
import { PkiError } from "./errors.js";
import { exportPrivateKeyPem, generateCaKeyPair, importCaPrivateKey } from "./signing-key.js";
import { SIMULATED_UNIT } from "./vendors.js";
import { x509 } from "./x509.js";

/** What an HTTPS server of ours presents, and what its clients trust. */
export interface TlsCredentials {
  /** PEM: the server certificate followed by the TLS CA certificate. */
  readonly cert: string;
  /** PEM PKCS#8 server key; never log it. */
  readonly key: string;
  /** PEM of the local TLS CA: the only trust anchor clients of this home need. */
  readonly ca: string;
}

const CA_NAME = "tls-ca";
const SERVER_NAME = "server";
const CA_VALIDITY_YEARS = 20;
/** Server certificates live 13 months and are re-issued when less than a month is left. */
const SERVER_VALIDITY_DAYS = 397;
const SERVER_RENEW_DAYS = 30;
const DAY_MS = 86_400_000;
const PUBLIC_FILE_MODE = 0o644;

function errorCode(error: unknown): string | undefined {
  return typeof error === "object" && error !== null && "code" in error ? String(error.code) : undefined;
}

function pemBlock(text: string, label: string): string | undefined {
  const match = new RegExp(`-----BEGIN ${label}-----[\\s\\S]*?-----END ${label}-----\\n?`).exec(text);
  return match === null ? undefined : match[0].endsWith("\n") ? match[0] : match[0] + "\n";
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    if (errorCode(error) === "ENOENT") return undefined;
    throw error;
  }
}

/** Creates the local TLS CA (ECC P-256) in a staging directory renamed into place; the first rename wins. */
async function loadOrCreateCa(dir: string, now: Date): Promise<{ certificate: x509.X509Certificate; pem: string; key: CryptoKey }> {
  const certFile = path.join(dir, `${CA_NAME}.crt.pem`);
  const keyFile = path.join(dir, `${CA_NAME}.key.pem`);
  let pem = await readIfExists(certFile);
  if (pem === undefined) {
    const parent = path.dirname(dir);
    await ensurePrivateDir(parent);
    const staging = await mkdtemp(path.join(parent, ".tls.tmp-"));
    try {
      const keys = await generateCaKeyPair("ecc");
      const subject = new x509.Name([
        { O: [{ utf8String: "apsim" }] },
        { OU: [{ utf8String: SIMULATED_UNIT }] },
        { CN: [{ utf8String: "apsim local TLS CA" }] },
      ]);
      const notBefore = new Date(now.getTime() - DAY_MS);
      const notAfter = new Date(now.getTime() + CA_VALIDITY_YEARS * 365 * DAY_MS);
      const certificate = await issueCaCertificate({
        subject,
        publicKey: keys.publicKey,
        signingKey: keys.privateKey,
        pathLength: 0,
        notBefore,
        notAfter,
      });
      await writeSecretFile(path.join(staging, `${CA_NAME}.key.pem`), await exportPrivateKeyPem(keys.privateKey));
      await writeFileAtomic(path.join(staging, `${CA_NAME}.crt.pem`), certificate.toString("pem") + "\n", {
        mode: PUBLIC_FILE_MODE,
      });
      await rename(staging, dir);
      await fsyncDirectory(parent);
    } catch (error) {
      await rm(staging, { recursive: true, force: true });
      if (!["EEXIST", "ENOTEMPTY", "EPERM"].includes(errorCode(error) ?? "")) throw error;
    }
    pem = await readIfExists(certFile);
    if (pem === undefined) throw new PkiError("PKI_INCOMPLETE", `TLS CA in ${dir} is incomplete`);
  }
  const keyPem = await readIfExists(keyFile);
  if (keyPem === undefined) throw new PkiError("PKI_INCOMPLETE", `TLS CA key missing in ${dir}`);
  return { certificate: new x509.X509Certificate(pem), pem, key: await importCaPrivateKey(keyPem, "ecc") };
}

async function issueServerCertificate(
  ca: { certificate: x509.X509Certificate; key: CryptoKey },
  now: Date,
): Promise<{ certificate: x509.X509Certificate; keyPem: string }> {
  const keys = await generateCaKeyPair("ecc");
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(16))).toString("hex").replace(/^[89a-f]/, "1"),
    subject: new x509.Name([{ O: [{ utf8String: "apsim" }] }, { CN: [{ utf8String: "localhost" }] }]),
    issuer: ca.certificate.subjectName,
    publicKey: keys.publicKey,
    signingKey: ca.key,
    notBefore: new Date(now.getTime() - DAY_MS),
    notAfter: new Date(now.getTime() + SERVER_VALIDITY_DAYS * DAY_MS),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        { type: "dns", value: "localhost" },
        { type: "ip", value: "127.0.0.1" },
        { type: "ip", value: "::1" },
      ]),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      new x509.AuthorityKeyIdentifierExtension(await keyIdentifierOf(ca.certificate)),
    ],
  });
  return { certificate, keyPem: await exportPrivateKeyPem(keys.privateKey) };
}

/**
 * The TLS credentials of this home's HTTPS services, under `<home>/pki/tls/`: a local TLS CA (ECC
 * P-256, created on first use) and a server certificate for `localhost`, 127.0.0.1 and ::1, re-issued
 * when it nears expiry. Keys are 0600. Every `apsim` client of the same home trusts `ca`.
 */
export async function loadTlsCredentials(home: string, now = new Date()): Promise<TlsCredentials> {
  const dir = path.join(home, "pki", "tls");
  const ca = await loadOrCreateCa(dir, now);
  // Key and certificate share one 0600 file, so a concurrent re-issue never pairs one's key with another's cert.
  const serverFile = path.join(dir, `${SERVER_NAME}.pem`);
  const stored = await readIfExists(serverFile);
  if (stored !== undefined) {
    const keyPem = pemBlock(stored, "PRIVATE KEY");
    const certPem = pemBlock(stored, "CERTIFICATE");
    if (keyPem !== undefined && certPem !== undefined) {
      const current = new x509.X509Certificate(certPem);
      if (current.notAfter.getTime() - now.getTime() > SERVER_RENEW_DAYS * DAY_MS) {
        return { cert: certPem + ca.pem, key: keyPem, ca: ca.pem };
      }
    }
  }
  const issued = await issueServerCertificate(ca, now);
  const pem = issued.certificate.toString("pem") + "\n";
  await writeSecretFile(serverFile, issued.keyPem.trimEnd() + "\n" + pem);
  return { cert: pem + ca.pem, key: issued.keyPem, ca: ca.pem };
}

/** The PEM of this home's TLS CA (creating it if needed): what a client passes as `ca`. */
export async function loadTlsTrust(home: string, now = new Date()): Promise<string> {
  return (await loadOrCreateCa(path.join(home, "pki", "tls"), now)).pem;
}
