/**
 * The AIK certificate a device presents at join must be one our attestation service issued: signed by one of the
 * home's AIK issuing CAs (`<VENDOR>-KEYID-<hex>`), itself signed by the home's TPM Root CA, valid on the service
 * clock, of Microsoft's AIK profile, and certifying the presented AK.
 */
import type { KeyObject } from "node:crypto";
import { listAikIssuingCas, loadTpmRootCa, parseAikCertificate, spkiOfTpmPublic, verifyCertificateSignature, type AikCa, type ParsedAikCertificate } from "../../certs/index.js";
import { ProtocolError } from "../../protocol/index.js";
import type { TPMT_PUBLIC } from "../../tpm2/index.js";

function untrusted(detail: string, cause?: unknown): never {
  throw new ProtocolError("JOIN_AIK_CERT_UNTRUSTED", detail, cause === undefined ? undefined : { cause });
}

/** The home's AIK CAs, read on first use and again when a certificate names an issuer not seen yet. */
export class AikTrust {
  #issuers: Map<string, AikCa> | undefined;
  #rootVerified = new Set<string>();

  constructor(private readonly home: string) {}

  async #load(): Promise<Map<string, AikCa>> {
    const cas = await listAikIssuingCas(this.home);
    return new Map(cas.map((ca) => [ca.certificate.subject, ca]));
  }

  /** The AIK issuing CA named `issuer`, verified under the TPM Root CA; undefined when the home has none such. */
  async issuer(issuer: string): Promise<AikCa | undefined> {
    this.#issuers ??= await this.#load();
    let ca = this.#issuers.get(issuer);
    if (ca === undefined) {
      this.#issuers = await this.#load();
      ca = this.#issuers.get(issuer);
    }
    if (ca === undefined) return undefined;
    if (!this.#rootVerified.has(ca.name)) {
      const root = await loadTpmRootCa(this.home);
      if (!(await verifyCertificateSignature(new Uint8Array(ca.certificate.rawData), root.certificate.publicKey))) return undefined;
      this.#rootVerified.add(ca.name);
    }
    return ca;
  }
}

function sameKey(certified: KeyObject, ak: TPMT_PUBLIC): boolean {
  const spki = spkiOfTpmPublic(ak);
  return spki !== undefined && Buffer.from(spki).equals(certified.export({ type: "spki", format: "der" }));
}

/**
 * @returns the parsed certificate.
 * @throws ProtocolError JOIN_AIK_CERT_UNTRUSTED
 */
export async function checkAikCertificate(der: Uint8Array, akPublic: TPMT_PUBLIC, trust: AikTrust, now: number): Promise<ParsedAikCertificate> {
  let parsed: ParsedAikCertificate;
  try {
    parsed = parseAikCertificate(der);
  } catch (error) {
    untrusted(`the AIK certificate does not parse: ${(error as Error).message}`, error);
  }
  if (parsed.violations.length > 0) untrusted(`not an AIK certificate: ${parsed.violations.join("; ")}`);
  const ca = await trust.issuer(parsed.issuer);
  if (ca === undefined) untrusted(`issuer '${parsed.issuer}' is not an AIK CA of this service`);
  if (!(await verifyCertificateSignature(der, ca.certificate.publicKey))) untrusted(`the signature does not verify with ${ca.name}'s key`);
  if (now < parsed.notBefore.getTime() || now > parsed.notAfter.getTime()) untrusted("the AIK certificate is not valid now");
  if (now < ca.certificate.notBefore.getTime() || now > ca.certificate.notAfter.getTime()) untrusted(`${ca.name} is not valid now`);
  if (!sameKey(parsed.publicKey, akPublic)) untrusted("the AIK certificate certifies another key than the presented AK");
  return parsed;
}
