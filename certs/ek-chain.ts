import type { KeyKind } from "./signing-key.js";
import type { VendorPki } from "./vendor-pki.js";
import { x509 } from "./x509.js";

/** Outcome of checking an EK certificate against its vendor's chain. */
export interface EkChainStatus {
  valid: boolean;
  /** Subjects from the EK's issuer up to the root, when the chain verified. */
  chain: string[];
  reason: string | undefined;
}

/**
 * Verifies an EK certificate's signature chain up to the vendor root: EK ← issuing CA ← root (self-signed),
 * and that each certificate is within its validity at `at`.
 */
export async function verifyEkChain(pki: VendorPki, kind: KeyKind, der: Uint8Array, at = new Date()): Promise<EkChainStatus> {
  const [issuing, root] = pki.chainFor(kind);
  const ek = new x509.X509Certificate(new Uint8Array(der));
  const links: [x509.X509Certificate, x509.X509Certificate, string][] = [
    [ek, issuing.certificate, "EK certificate"],
    [issuing.certificate, root.certificate, issuing.commonName],
    [root.certificate, root.certificate, root.commonName],
  ];
  for (const [cert, signer, what] of links) {
    if (!(await cert.verify({ publicKey: signer.publicKey, date: at }))) {
      return { valid: false, chain: [], reason: `${what}: signature or validity check failed` };
    }
  }
  return { valid: true, chain: [issuing.certificate.subject, root.certificate.subject], reason: undefined };
}
