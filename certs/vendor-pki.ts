import { mkdtemp, readFile, rename, rm } from "node:fs/promises";
import path from "node:path";
import { ensurePrivateDir, fsyncDirectory, writeFileAtomic, writeSecretFile } from "../lib/index.js";
import { issueCaCertificate } from "./ca-certificate.js";
import { PkiError } from "./errors.js";
import { exportPrivateKeyPem, generateCaKeyPair, importCaPrivateKey, type KeyKind } from "./signing-key.js";
import { findVendor, SIMULATED_UNIT, type VendorCaProfile, type VendorPkiIdentity } from "./vendors.js";
import { x509 } from "./x509.js";

/** One CA of a vendor PKI, with its signing key. */
export interface VendorCa {
  /** File- and URL-safe name, e.g. `OptigaRsaMfrCA001`. */
  readonly name: string;
  readonly commonName: string;
  readonly kind: KeyKind;
  readonly role: "root" | "issuing";
  readonly certificate: x509.X509Certificate;
  readonly certificatePem: string;
  /** Non-extractable signing key; never log it. */
  readonly privateKey: CryptoKey;
  /** Where this CA's certificate is published: `http://<host>/<name>.crt`. */
  readonly aiaUrl: string;
  /** Where this CA publishes its CRL: `http://<host>/<name>.crl`. */
  readonly crlUrl: string;
}

/** A vendor's EK PKI: its roots and the EK issuing CA under each. */
export interface VendorPki {
  readonly identity: VendorPkiIdentity;
  readonly roots: readonly VendorCa[];
  readonly issuingCas: readonly VendorCa[];
  /** The issuing CA that signs EK certificates of this kind (Intel signs RSA EKs with ECDSA). */
  issuerFor(ekKind: KeyKind): VendorCa;
  /** The CA chain above an EK of this kind: `[issuing CA, root CA]`. */
  chainFor(ekKind: KeyKind): readonly [VendorCa, VendorCa];
}

/**
 * Validity of every simulated vendor CA: fixed, like real TPM vendor CAs that outlive their
 * devices, so that any simulated clock from 2015 to 2049 sees valid chains. 2049 is the last year
 * RFC 5280 encodes as UTCTime.
 */
const CA_NOT_BEFORE = new Date("2015-01-01T00:00:00Z");
const CA_NOT_AFTER = new Date("2049-12-31T23:59:59Z");

const CERT_SUFFIX = ".crt.pem";
const KEY_SUFFIX = ".key.pem";
const PUBLIC_FILE_MODE = 0o644;

function caSubject(identity: VendorPkiIdentity, profile: VendorCaProfile): x509.Name {
  return new x509.Name([
    { C: [{ printableString: identity.country }] },
    { O: [{ utf8String: identity.organization }] },
    { OU: [{ utf8String: SIMULATED_UNIT }] },
    { CN: [{ utf8String: profile.commonName }] },
  ]);
}

function caUrls(identity: VendorPkiIdentity, name: string): { aiaUrl: string; crlUrl: string } {
  return { aiaUrl: `http://${identity.host}/${name}.crt`, crlUrl: `http://${identity.host}/${name}.crl` };
}

function errorCode(error: unknown): string | undefined {
  return typeof error === "object" && error !== null && "code" in error ? String(error.code) : undefined;
}

async function writeCa(dir: string, name: string, certificate: x509.X509Certificate, key: CryptoKey): Promise<void> {
  await writeSecretFile(path.join(dir, name + KEY_SUFFIX), await exportPrivateKeyPem(key));
  await writeFileAtomic(path.join(dir, name + CERT_SUFFIX), certificate.toString("pem") + "\n", {
    mode: PUBLIC_FILE_MODE,
  });
}

/** Creates every CA of the vendor in `dir`: per hierarchy a self-signed root and an issuing CA (pathlen 0). */
async function generateVendorPki(dir: string, identity: VendorPkiIdentity): Promise<void> {
  const validity = { notBefore: CA_NOT_BEFORE, notAfter: CA_NOT_AFTER };
  await Promise.all(
    identity.hierarchies.map(async (hierarchy) => {
      const [rootKeys, issuingKeys] = await Promise.all([
        generateCaKeyPair(hierarchy.kind),
        generateCaKeyPair(hierarchy.kind),
      ]);
      const root = await issueCaCertificate({
        subject: caSubject(identity, hierarchy.root),
        publicKey: rootKeys.publicKey,
        signingKey: rootKeys.privateKey,
        ...validity,
      });
      const issuing = await issueCaCertificate({
        subject: caSubject(identity, hierarchy.issuing),
        publicKey: issuingKeys.publicKey,
        signingKey: rootKeys.privateKey,
        issuer: root,
        pathLength: 0,
        ...caUrls(identity, hierarchy.root.name),
        ...validity,
      });
      await writeCa(dir, hierarchy.root.name, root, rootKeys.privateKey);
      await writeCa(dir, hierarchy.issuing.name, issuing, issuingKeys.privateKey);
    }),
  );
}

async function readCa(
  dir: string,
  identity: VendorPkiIdentity,
  profile: VendorCaProfile,
  kind: KeyKind,
  role: VendorCa["role"],
): Promise<VendorCa> {
  const certificatePem = await readFile(path.join(dir, profile.name + CERT_SUFFIX), "utf8");
  const keyPem = await readFile(path.join(dir, profile.name + KEY_SUFFIX), "utf8");
  return {
    name: profile.name,
    commonName: profile.commonName,
    kind,
    role,
    certificate: new x509.X509Certificate(certificatePem),
    certificatePem,
    privateKey: await importCaPrivateKey(keyPem, kind),
    ...caUrls(identity, profile.name),
  };
}

/** Loads the vendor PKI stored in `dir`; undefined when it has not been created yet. */
async function readVendorPki(dir: string, identity: VendorPkiIdentity): Promise<VendorPki | undefined> {
  const roots: VendorCa[] = [];
  const issuingCas: VendorCa[] = [];
  try {
    for (const hierarchy of identity.hierarchies) {
      roots.push(await readCa(dir, identity, hierarchy.root, hierarchy.kind, "root"));
      issuingCas.push(await readCa(dir, identity, hierarchy.issuing, hierarchy.kind, "issuing"));
    }
  } catch (error) {
    if (errorCode(error) !== "ENOENT") throw error;
    if (roots.length === 0) return undefined;
    throw new PkiError("PKI_INCOMPLETE", `vendor PKI in ${dir} is missing files`, { cause: error });
  }
  return buildVendorPki(identity, roots, issuingCas);
}

function buildVendorPki(identity: VendorPkiIdentity, roots: VendorCa[], issuingCas: VendorCa[]): VendorPki {
  const byKind = (list: readonly VendorCa[], kind: KeyKind): VendorCa => {
    const found = list.find((ca) => ca.kind === kind);
    if (found === undefined) throw new PkiError("PKI_INCOMPLETE", `${identity.code} has no ${kind} CA`);
    return found;
  };
  const issuerFor = (ekKind: KeyKind): VendorCa => byKind(issuingCas, identity.ekIssuerKind[ekKind]);
  return {
    identity,
    roots,
    issuingCas,
    issuerFor,
    chainFor: (ekKind) => {
      const issuing = issuerFor(ekKind);
      return [issuing, byKind(roots, issuing.kind)];
    },
  };
}

/**
 * The EK PKI of vendor `code` (case-insensitive) under `<home>/pki/vendors/<CODE>/`, created on
 * first use: per hierarchy a root CA and an EK issuing CA (RSA-2048 or ECC P-256, SHA-256), keys as
 * PKCS#8 PEM with mode 0600 in a 0700 directory, certificates as PEM. Creation happens in a temporary
 * directory that is renamed into place, so concurrent processes never see a half-made PKI: the
 * first rename wins and the others load the winner's CAs.
 */
export async function loadVendorPki(home: string, code: string): Promise<VendorPki> {
  const identity = findVendor(code);
  if (identity === undefined) throw new PkiError("UNKNOWN_VENDOR", `unknown TPM vendor: ${code}`);
  const vendorsDir = path.join(home, "pki", "vendors");
  const dir = path.join(vendorsDir, identity.code);
  const existing = await readVendorPki(dir, identity);
  if (existing !== undefined) return existing;

  await ensurePrivateDir(vendorsDir);
  const staging = await mkdtemp(path.join(vendorsDir, `.${identity.code}.tmp-`));
  try {
    await generateVendorPki(staging, identity);
    await rename(staging, dir);
    await fsyncDirectory(vendorsDir);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    const lostRace = ["EEXIST", "ENOTEMPTY", "EPERM"].includes(errorCode(error) ?? "");
    if (!lostRace) throw error;
  }
  const created = await readVendorPki(dir, identity);
  if (created === undefined) throw new PkiError("PKI_INCOMPLETE", `vendor PKI in ${dir} is incomplete or unreadable`);
  return created;
}
