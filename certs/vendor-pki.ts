import path from "node:path";
import { issueCaCertificate } from "./ca-certificate.js";
import { createDirectoryOnce, errorCode, readCaFiles, writeCaFiles } from "./ca-files.js";
import { PkiError } from "./errors.js";
import { generateCaKeyPair, type KeyKind } from "./signing-key.js";
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
  /** The CA that signed this one's certificate; absent for a (self-signed) root. */
  readonly issuer?: VendorCa;
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
      await writeCaFiles(dir, hierarchy.root.name, root, rootKeys.privateKey);
      await writeCaFiles(dir, hierarchy.issuing.name, issuing, issuingKeys.privateKey);
    }),
  );
}

async function readCa(
  dir: string,
  identity: VendorPkiIdentity,
  profile: VendorCaProfile,
  kind: KeyKind,
  role: VendorCa["role"],
  issuer?: VendorCa,
): Promise<VendorCa> {
  return {
    name: profile.name,
    commonName: profile.commonName,
    kind,
    role,
    ...(await readCaFiles(dir, profile.name, kind)),
    ...caUrls(identity, profile.name),
    ...(issuer === undefined ? {} : { issuer }),
  };
}

/** Loads the vendor PKI stored in `dir`; undefined when it has not been created yet. */
async function readVendorPki(dir: string, identity: VendorPkiIdentity): Promise<VendorPki | undefined> {
  const roots: VendorCa[] = [];
  const issuingCas: VendorCa[] = [];
  try {
    for (const hierarchy of identity.hierarchies) {
      const root = await readCa(dir, identity, hierarchy.root, hierarchy.kind, "root");
      roots.push(root);
      issuingCas.push(await readCa(dir, identity, hierarchy.issuing, hierarchy.kind, "issuing", root));
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

  await createDirectoryOnce(vendorsDir, identity.code, (staging) => generateVendorPki(staging, identity));
  const created = await readVendorPki(dir, identity);
  if (created === undefined) throw new PkiError("PKI_INCOMPLETE", `vendor PKI in ${dir} is incomplete or unreadable`);
  return created;
}
