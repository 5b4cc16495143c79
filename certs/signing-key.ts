import { x509 } from "./x509.js";

/** The two key families of TPM PKIs: RSA-2048 and ECC NIST P-256. */
export type KeyKind = "rsa" | "ecc";

/** Every CA signs with SHA-256: sha256WithRSAEncryption or ecdsa-with-SHA256. */
const SIGNING_ALGORITHMS: Readonly<Record<KeyKind, RsaHashedImportParams | EcKeyImportParams>> = {
  rsa: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
  ecc: { name: "ECDSA", namedCurve: "P-256" },
};

const PRIVATE_KEY_TAG = "PRIVATE KEY";

/** Generates a CA signing key pair: RSA-2048 (e = 65537) or ECC P-256. Extractable, so it can be stored. */
export async function generateCaKeyPair(kind: KeyKind): Promise<CryptoKeyPair> {
  const params: RsaHashedKeyGenParams | EcKeyGenParams =
    kind === "rsa"
      ? { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) }
      : { name: "ECDSA", namedCurve: "P-256" };
  return globalThis.crypto.subtle.generateKey(params, true, ["sign", "verify"]);
}

/** PKCS#8 PEM of a private key, for a file with mode 0600; never log it. */
export async function exportPrivateKeyPem(key: CryptoKey): Promise<string> {
  const pkcs8 = await globalThis.crypto.subtle.exportKey("pkcs8", key);
  return x509.PemConverter.encode(pkcs8, PRIVATE_KEY_TAG);
}

/** Imports a PKCS#8 PEM CA key as a non-extractable signing key. */
export async function importCaPrivateKey(pem: string, kind: KeyKind): Promise<CryptoKey> {
  const pkcs8 = x509.PemConverter.decodeFirst(pem);
  return globalThis.crypto.subtle.importKey("pkcs8", pkcs8, SIGNING_ALGORITHMS[kind], false, ["sign"]);
}
