import { createHash } from "node:crypto";
import { AIK_PKI_HOST, listAikIssuingCas, loadTpmRootCa } from "./aik-pki.js";
import { formatTpmId } from "./tcg-extensions.js";
import type { VendorPki } from "./vendor-pki.js";
import type { x509 } from "./x509.js";

/** One CA of a vendor PKI as printable data (public parts only). */
export interface VendorCaDescription {
  readonly role: "root" | "issuing";
  readonly name: string;
  readonly kind: "rsa" | "ecc";
  readonly subject: string;
  readonly issuer: string;
  readonly serialNumber: string;
  readonly notBefore: string;
  readonly notAfter: string;
  /** SHA-256 of the DER certificate, upper-case hex. */
  readonly sha256: string;
  readonly aiaUrl: string;
  readonly crlUrl: string;
  readonly pem: string;
}

/** A vendor PKI as printable data, for `apsim pki show --vendor V`. */
export interface VendorPkiDescription {
  readonly vendor: {
    readonly code: string;
    readonly organization: string;
    readonly manufacturerId: string;
    readonly kind: "discrete" | "firmware" | "software";
    readonly host: string;
    readonly ekIssuerKind: Readonly<Record<"rsa" | "ecc", "rsa" | "ecc">>;
  };
  readonly cas: readonly VendorCaDescription[];
}

/** The public parts every CA description carries. */
function describeCa(
  role: "root" | "issuing",
  ca: { name: string; certificate: x509.X509Certificate; aiaUrl: string; crlUrl: string },
): AikCaDescription {
  return {
    role,
    name: ca.name,
    subject: ca.certificate.subject,
    issuer: ca.certificate.issuer,
    serialNumber: ca.certificate.serialNumber,
    notBefore: ca.certificate.notBefore.toISOString(),
    notAfter: ca.certificate.notAfter.toISOString(),
    sha256: createHash("sha256").update(new Uint8Array(ca.certificate.rawData)).digest("hex").toUpperCase(),
    aiaUrl: ca.aiaUrl,
    crlUrl: ca.crlUrl,
    pem: ca.certificate.toString("pem"),
  };
}

/** Describes every root and issuing CA of a vendor PKI (roots first); never includes private keys. */
export function describeVendorPki(pki: VendorPki): VendorPkiDescription {
  const { identity } = pki;
  return {
    vendor: {
      code: identity.code,
      organization: identity.organization,
      kind: identity.kind,
      manufacturerId: formatTpmId(identity.manufacturerId),
      host: identity.host,
      ekIssuerKind: { ...identity.ekIssuerKind },
    },
    // kind after name, as `pki show --json` has always printed it
    cas: [...pki.roots, ...pki.issuingCas].map((ca) => {
      const { role, name, ...rest } = describeCa(ca.role, ca);
      return { role, name, kind: ca.kind, ...rest };
    }),
  };
}

/** One CA of the AIK PKI as printable data (public parts only): a vendor CA's description without a key kind. */
export type AikCaDescription = Omit<VendorCaDescription, "kind">;

/** The TPM Root CA and every AIK issuing CA, for `apsim pki show --aik`. */
export interface AikPkiDescription {
  readonly host: string;
  readonly cas: readonly AikCaDescription[];
}

/** Describes the TPM Root CA (first, created if absent) and the AIK issuing CAs made so far; no private keys. */
export async function describeAikPki(home: string): Promise<AikPkiDescription> {
  const root = await loadTpmRootCa(home);
  const issuing = await listAikIssuingCas(home);
  return {
    host: AIK_PKI_HOST,
    cas: [root, ...issuing].map((ca) => describeCa(ca === root ? "root" : "issuing", ca)),
  };
}
