/**
 * Step 9: the device checks what it was given before keeping it — the AIK certificate certifies this AK,
 * is an AIK certificate (EKU tcg-kp-AIKCertificate 2.23.133.8.3), and its signatures chain through the
 * certificates the service sent up to a self-signed one.
 */
import { X509Certificate } from "node:crypto";
import { publicKeyOf, type TPMT_PUBLIC } from "../../tpm2/index.js";
import { AttestationFailure } from "./outcome.js";

/** tcg-kp-AIKCertificate. */
export const AIK_CERTIFICATE_EKU = "2.23.133.8.3";

function invalid(detail: string): AttestationFailure {
  return AttestationFailure.of("AIK_CERT_INVALID", detail);
}

function parse(der: Uint8Array, what: string): X509Certificate {
  try {
    return new X509Certificate(der);
  } catch (error) {
    throw AttestationFailure.of("AIK_CERT_INVALID", `${what} does not parse: ${(error as Error).message}`, error);
  }
}

function spki(key: X509Certificate["publicKey"]): Buffer {
  return key.export({ type: "spki", format: "der" });
}

/**
 * Verifies the AIK certificate and returns it as PEM.
 * @throws AttestationFailure AIK_CERT_INVALID naming the first check that failed.
 */
export function verifyAikCertificate(akPublic: TPMT_PUBLIC, certificate: Uint8Array, chain: readonly Uint8Array[]): string {
  const leaf = parse(certificate, "the AIK certificate");
  if (!spki(leaf.publicKey).equals(spki(publicKeyOf(akPublic)))) throw invalid("the AIK certificate certifies another key than the AK");
  if (!(leaf.keyUsage ?? []).includes(AIK_CERTIFICATE_EKU)) throw invalid(`the AIK certificate lacks EKU ${AIK_CERTIFICATE_EKU}`);
  if (chain.length === 0) throw invalid("the service sent no certificate chain");
  const path = [leaf, ...chain.map((der, i) => parse(der, `chain certificate ${i + 1}`))];
  for (let i = 0; i + 1 < path.length; i++) {
    const [subject, issuer] = [path[i]!, path[i + 1]!];
    if (!subject.checkIssued(issuer) || !subject.verify(issuer.publicKey)) {
      throw invalid(`certificate ${i} of the chain is not signed by the next (${issuer.subject.replaceAll("\n", ", ")})`);
    }
  }
  const top = path.at(-1)!;
  if (top.checkIssued(top) && !top.verify(top.publicKey)) throw invalid("the root's self-signature does not verify");
  return leaf.toString();
}
