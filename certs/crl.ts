import { AsnConvert } from "@peculiar/asn1-schema";
import { CRLNumber, id_ce_cRLNumber } from "@peculiar/asn1-x509";
import { keyIdentifierOf } from "./ca-certificate.js";
import { PkiError } from "./errors.js";
import { revokedSerials } from "./revocations.js";
import type { VendorCa, VendorPki } from "./vendor-pki.js";
import { x509 } from "./x509.js";

/** A revoked certificate: hex serial number and, when known, when it was revoked. */
export interface RevokedCertificate {
  readonly serialNumber: string;
  readonly revocationDate?: Date;
}

/** What signs a CRL: any CA's certificate and key (vendor CAs, AIK CAs). */
export type CrlIssuer = Pick<VendorCa, "certificate" | "privateKey">;

/** How long a CRL from {@link currentCrl} is valid: a week, like the vendor CAs' published CRLs. */
export const CRL_VALIDITY_MS = 7 * 24 * 60 * 60 * 1000;

const SERIAL_HEX = /^[0-9a-f]{1,40}$/i;

function invalid(message: string): PkiError {
  return new PkiError("CRL_REQUEST_INVALID", message);
}

function wholeSeconds(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

/**
 * Issues an X.509 v2 CRL (RFC 5280 §5) signed by `ca` with SHA-256: AKI (the CA's key identifier) and a
 * CRL number equal to `thisUpdate` in seconds since 1970, so every later CRL of the CA has a larger number
 * (§5.2.3) without keeping a counter. Serials are hex strings; an entry without a date is dated `thisUpdate`.
 * Returns the DER bytes.
 */
export async function issueCrl(
  ca: CrlIssuer,
  revoked: Iterable<string | RevokedCertificate>,
  thisUpdate: Date,
  nextUpdate: Date,
): Promise<Uint8Array<ArrayBuffer>> {
  if (Number.isNaN(thisUpdate.getTime()) || !(nextUpdate > thisUpdate)) {
    throw invalid("nextUpdate must be a date after thisUpdate");
  }
  const entries: x509.X509CrlEntryParams[] = [];
  const seen = new Set<string>();
  for (const item of revoked) {
    const entry = typeof item === "string" ? { serialNumber: item } : item;
    const serialNumber = entry.serialNumber.toLowerCase();
    if (!SERIAL_HEX.test(serialNumber)) throw invalid(`not a certificate serial: ${entry.serialNumber}`);
    if (seen.has(serialNumber)) continue;
    seen.add(serialNumber);
    entries.push({ serialNumber, revocationDate: wholeSeconds(entry.revocationDate ?? thisUpdate) });
  }
  const crlNumber = Math.floor(thisUpdate.getTime() / 1000);
  const crl = await x509.X509CrlGenerator.create({
    issuer: ca.certificate.subjectName,
    thisUpdate: wholeSeconds(thisUpdate),
    nextUpdate: wholeSeconds(nextUpdate),
    entries,
    extensions: [
      new x509.AuthorityKeyIdentifierExtension(await keyIdentifierOf(ca.certificate)),
      new x509.Extension(id_ce_cRLNumber, false, AsnConvert.serialize(new CRLNumber(crlNumber))),
    ],
    signingKey: ca.privateKey,
    signingAlgorithm: { name: ca.privateKey.algorithm.name, hash: "SHA-256" },
  });
  return new Uint8Array(crl.rawData);
}

/**
 * The CRL a vendor CA publishes at its `crlUrl` at time `at`: an issuing CA lists every serial in the
 * vendor's revoked-serials.txt (EK serials are random, so listing the vendor's whole file is exact enough);
 * a root lists none (no issuing CA is ever revoked). Valid from `at` for {@link CRL_VALIDITY_MS}.
 */
export async function currentCrl(home: string, pki: VendorPki, ca: VendorCa, at: Date): Promise<Uint8Array<ArrayBuffer>> {
  const serials = ca.role === "issuing" ? [...revokedSerials(home, pki.identity.code)].sort() : [];
  return issueCrl(ca, serials, at, new Date(at.getTime() + CRL_VALIDITY_MS));
}
