/**
 * The simulated counterpart of Microsoft's AIK PKI: one TPM Root CA (modelled on "Microsoft TPM Root
 * Certificate Authority 2014") and, per EK issuing CA, an AIK issuing CA named `<VENDOR>-KEYID-<hex>` after
 * the EK issuer's key identifier (`<VENDOR>-NAMEID-<hex>` when it has none), as TrustedTpm.cab's
 * `Microsoft/IntermediateCA/` folder holds them. Stored under `<home>/pki/aik/<name>/`.
 */
import { createHash } from "node:crypto";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { issueCaCertificate, keyIdentifierOf } from "./ca-certificate.js";
import { createDirectoryOnce, errorCode, readCaFiles, writeCaFiles } from "./ca-files.js";
import { PkiError } from "./errors.js";
import { generateCaKeyPair } from "./signing-key.js";
import { SIMULATED_UNIT } from "./vendors.js";
import { x509 } from "./x509.js";

/** A CA of the AIK PKI with its signing key. */
export interface AikCa {
  /** `TpmRootCA`, or the intermediate's `<VENDOR>-KEYID-<hex>` / `<VENDOR>-NAMEID-<hex>`. */
  readonly name: string;
  readonly certificate: x509.X509Certificate;
  readonly certificatePem: string;
  /** Non-extractable signing key; never log it. */
  readonly privateKey: CryptoKey;
  /** `[this, root]` for an intermediate, `[root]` for the root. */
  readonly chain: readonly x509.X509Certificate[];
  /** Where this CA's certificate is published: `http://aik.tpm.apsim.test/<name>.crt`. */
  readonly aiaUrl: string;
  /** Where this CA publishes its CRL: `http://aik.tpm.apsim.test/<name>.crl`. */
  readonly crlUrl: string;
}

/** Fixed virtual host of the AIK PKI's AIA and CRL URLs. */
export const AIK_PKI_HOST = "aik.tpm.apsim.test";

/** File and URL name of the TPM Root CA. */
export const TPM_ROOT_CA_NAME = "TpmRootCA";

/** Common name of the TPM Root CA. */
export const TPM_ROOT_CA_COMMON_NAME = "apsim simulated TPM Root Certificate Authority";

/** Microsoft's AIK CA policy (certificatePolicies of AIK CAs and AIK certificates). */
export const AIK_POLICY_OID = "1.3.6.1.4.1.311.21.31";

/** EKU Microsoft puts on AIK CAs beside tcg-kp-AIKCertificate. */
const MS_KP_AIK_CA = "1.3.6.1.4.1.311.21.36";
const TCG_KP_AIK_CERTIFICATE = "2.23.133.8.3";

/** Same fixed validity as the vendor CAs, so every simulated clock from 2015 to 2049 sees valid chains. */
const CA_NOT_BEFORE = new Date("2015-01-01T00:00:00Z");
const CA_NOT_AFTER = new Date("2049-12-31T23:59:59Z");

const VENDOR_CODE = /^[A-Za-z0-9]{1,8}$/;

function aikDir(home: string): string {
  return path.join(home, "pki", "aik");
}

function urls(name: string): { aiaUrl: string; crlUrl: string } {
  return { aiaUrl: `http://${AIK_PKI_HOST}/${name}.crt`, crlUrl: `http://${AIK_PKI_HOST}/${name}.crl` };
}

async function readAikCa(home: string, name: string, root: AikCa | undefined): Promise<AikCa | undefined> {
  try {
    const stored = await readCaFiles(path.join(aikDir(home), name), name, "rsa");
    return {
      name,
      ...stored,
      chain: root === undefined ? [stored.certificate] : [stored.certificate, root.certificate],
      ...urls(name),
    };
  } catch (error) {
    if (errorCode(error) === "ENOENT") return undefined;
    throw error;
  }
}

async function loadOrCreate(
  home: string,
  name: string,
  root: AikCa | undefined,
  create: () => Promise<{ certificate: x509.X509Certificate; privateKey: CryptoKey }>,
): Promise<AikCa> {
  const existing = await readAikCa(home, name, root);
  if (existing !== undefined) return existing;
  await createDirectoryOnce(aikDir(home), name, async (staging) => {
    const made = await create();
    await writeCaFiles(staging, name, made.certificate, made.privateKey);
  });
  const created = await readAikCa(home, name, root);
  if (created === undefined) throw new PkiError("PKI_INCOMPLETE", `AIK CA ${name} is missing after creation`);
  return created;
}

/**
 * The TPM Root CA under `<home>/pki/aik/TpmRootCA/`, created on first use: self-signed RSA-2048 with
 * SHA-256, `CN=apsim simulated TPM Root Certificate Authority`. Safe when processes create it at once.
 */
export async function loadTpmRootCa(home: string): Promise<AikCa> {
  return loadOrCreate(home, TPM_ROOT_CA_NAME, undefined, async () => {
    const keys = await generateCaKeyPair("rsa");
    const subject = new x509.Name([
      { C: [{ printableString: "US" }] },
      { O: [{ utf8String: "apsim" }] },
      { OU: [{ utf8String: SIMULATED_UNIT }] },
      { CN: [{ utf8String: TPM_ROOT_CA_COMMON_NAME }] },
    ]);
    const certificate = await issueCaCertificate({
      subject,
      publicKey: keys.publicKey,
      signingKey: keys.privateKey,
      notBefore: CA_NOT_BEFORE,
      notAfter: CA_NOT_AFTER,
    });
    return { certificate, privateKey: keys.privateKey };
  });
}

/**
 * The AIK CA name for EKs issued by `ekIssuer`: `<VENDOR>-KEYID-<lower-case hex of its SKI>`, or
 * `<VENDOR>-NAMEID-<lower-case hex of SHA-1 of its subject name DER>` when it has no SKI.
 */
export function aikIssuingCaName(vendorCode: string, ekIssuer: x509.X509Certificate): string {
  if (!VENDOR_CODE.test(vendorCode)) throw new PkiError("UNKNOWN_VENDOR", `not a TPM vendor code: ${vendorCode}`);
  const vendor = vendorCode.toUpperCase();
  const ski = ekIssuer.getExtension(x509.SubjectKeyIdentifierExtension);
  if (ski !== null) return `${vendor}-KEYID-${ski.keyId.toLowerCase()}`;
  const nameId = createHash("sha1").update(new Uint8Array(ekIssuer.subjectName.toArrayBuffer())).digest("hex");
  return `${vendor}-NAMEID-${nameId}`;
}

/**
 * The AIK issuing CA for EKs certified by `ekIssuer` (an EK issuing CA of TPM vendor `vendorCode`), under
 * the TPM Root CA; created on first use under `<home>/pki/aik/<name>/`. Shaped like Microsoft's: subject
 * `CN=<name>`, RSA-2048, basicConstraints CA pathlen 0 and keyUsage digitalSignature|keyCertSign|cRLSign
 * (both critical), EKU 1.3.6.1.4.1.311.21.36 + tcg-kp-AIKCertificate, certificatePolicies
 * 1.3.6.1.4.1.311.21.31, SKI/AKI, and the root's AIA and CRL URLs.
 */
export async function loadAikIssuingCa(home: string, vendorCode: string, ekIssuer: x509.X509Certificate): Promise<AikCa> {
  const name = aikIssuingCaName(vendorCode, ekIssuer);
  const root = await loadTpmRootCa(home);
  return loadOrCreate(home, name, root, async () => {
    const keys = await generateCaKeyPair("rsa");
    const rootUrls = urls(TPM_ROOT_CA_NAME);
    const ski = await x509.SubjectKeyIdentifierExtension.create(keys.publicKey);
    const rootKeyId = await keyIdentifierOf(root.certificate);
    const certificate = await x509.X509CertificateGenerator.create({
      subject: new x509.Name([{ CN: [{ utf8String: name }] }]),
      issuer: root.certificate.subjectName,
      publicKey: keys.publicKey,
      signingKey: root.privateKey,
      notBefore: CA_NOT_BEFORE,
      notAfter: CA_NOT_AFTER,
      extensions: [
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
          true,
        ),
        new x509.ExtendedKeyUsageExtension([MS_KP_AIK_CA, TCG_KP_AIK_CERTIFICATE], false),
        new x509.CertificatePolicyExtension([AIK_POLICY_OID], false),
        new x509.BasicConstraintsExtension(true, 0, true),
        ski,
        new x509.AuthorityKeyIdentifierExtension(rootKeyId),
        new x509.AuthorityInfoAccessExtension({ caIssuers: new x509.GeneralName("url", rootUrls.aiaUrl) }),
        new x509.CRLDistributionPointsExtension([rootUrls.crlUrl]),
      ],
    });
    return { certificate, privateKey: keys.privateKey };
  });
}

/** Every AIK issuing CA created so far under `home`, by name (the TPM Root CA excluded). */
export async function listAikIssuingCas(home: string): Promise<AikCa[]> {
  let entries: string[];
  try {
    entries = await readdir(aikDir(home));
  } catch (error) {
    if (errorCode(error) === "ENOENT") return [];
    throw error;
  }
  const names = entries.filter((entry) => /-(KEYID|NAMEID)-[0-9a-f]+$/.test(entry)).sort();
  if (names.length === 0) return [];
  const root = await loadTpmRootCa(home);
  const cas = await Promise.all(names.map((name) => readAikCa(home, name, root)));
  return cas.filter((ca): ca is AikCa => ca !== undefined);
}
