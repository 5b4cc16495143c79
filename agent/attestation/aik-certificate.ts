/**
 * Step 9: the device checks what it was given before keeping it — the AIK certificate certifies this AK,
 * is an AIK certificate (EKU tcg-kp-AIKCertificate 2.23.133.8.3), and its signatures chain through the
 * certificates the service sent up to a self-signed one.
 */
import { X509Certificate, type KeyObject } from "node:crypto";
import {
  RSA_DEFAULT_EXPONENT,
  TPM_ALG,
  eccCurveInfo,
  eccPointFromKey,
  fixedLength,
  rsaModulusFromKey,
  type TPMS_ECC_PARMS,
  type TPMS_ECC_POINT,
  type TPMS_RSA_PARMS,
  type TPMT_PUBLIC,
} from "../../tpm2/index.js";
import type { CertificateCache } from "./certificate-cache.js";
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

/** Big-endian integer octets without leading zeros. */
function unpadded(value: Uint8Array): Buffer {
  let i = 0;
  while (i < value.length - 1 && value[i] === 0) i++;
  return Buffer.from(value.subarray(i));
}

/** Whether `key` is the AK's public key (compared as numbers through the key's JWK, which costs microseconds). */
function certifiesKey(key: KeyObject, ak: TPMT_PUBLIC): boolean {
  try {
    if (ak.type === TPM_ALG.RSA && key.asymmetricKeyType === "rsa") {
      const { modulus, exponent } = rsaModulusFromKey(key);
      const akExponent = (ak.parameters as TPMS_RSA_PARMS).exponent;
      return modulus.equals(unpadded(ak.unique as Uint8Array)) && exponent === (akExponent === RSA_DEFAULT_EXPONENT ? 0 : akExponent);
    }
    if (ak.type === TPM_ALG.ECC && key.asymmetricKeyType === "ec") {
      const point = eccPointFromKey(key);
      const curve = eccCurveInfo((ak.parameters as TPMS_ECC_PARMS).curveID);
      const { x, y } = ak.unique as TPMS_ECC_POINT;
      return point.curveId === curve.curveId && point.x.equals(fixedLength(x, curve.byteLength) ?? Buffer.alloc(0)) && point.y.equals(fixedLength(y, curve.byteLength) ?? Buffer.alloc(0));
    }
    return false;
  } catch {
    return false;
  }
}

function describe(certificate: X509Certificate): string {
  return certificate.subject.replaceAll("\n", ", ");
}

/**
 * Verifies the chain the service sent, each certificate signed by the next up to a self-signed top, and
 * returns its first certificate (the one that must have signed the AIK certificate).
 */
function verifyChain(chain: readonly Uint8Array[]): X509Certificate {
  const path = chain.map((der, i) => parse(der, `chain certificate ${i + 1}`));
  for (let i = 0; i + 1 < path.length; i++) {
    const [subject, issuer] = [path[i]!, path[i + 1]!];
    if (!subject.checkIssued(issuer) || !subject.verify(issuer.publicKey)) {
      throw invalid(`certificate ${i + 1} of the chain is not signed by the next (${describe(issuer)})`);
    }
  }
  const top = path.at(-1)!;
  if (top.checkIssued(top) && !top.verify(top.publicKey)) throw invalid("the root's self-signature does not verify");
  return path[0]!;
}

/**
 * Verifies the AIK certificate and returns it as PEM. With a `cache`, a chain already verified is not verified
 * again (it is keyed by its exact bytes); the AIK certificate's own signature is always checked.
 * @throws AttestationFailure AIK_CERT_INVALID naming the first check that failed.
 */
export function verifyAikCertificate(
  akPublic: TPMT_PUBLIC,
  certificate: Uint8Array,
  chain: readonly Uint8Array[],
  cache?: CertificateCache,
): string {
  const leaf = parse(certificate, "the AIK certificate");
  if (!certifiesKey(leaf.publicKey, akPublic)) throw invalid("the AIK certificate certifies another key than the AK");
  if (!(leaf.keyUsage ?? []).includes(AIK_CERTIFICATE_EKU)) throw invalid(`the AIK certificate lacks EKU ${AIK_CERTIFICATE_EKU}`);
  if (chain.length === 0) throw invalid("the service sent no certificate chain");
  const issuer = cache === undefined ? verifyChain(chain) : cache.verifiedChain(chain, verifyChain);
  if (!leaf.checkIssued(issuer) || !leaf.verify(issuer.publicKey)) {
    throw invalid(`certificate 0 of the chain is not signed by the next (${describe(issuer)})`);
  }
  return leaf.toString();
}
