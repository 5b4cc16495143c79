import { constants, createPublicKey, publicEncrypt } from "node:crypto";
import { bigIntToBytes } from "../../tpm2/index.js";

function base64url(value: bigint): string {
  return bigIntToBytes(value).toString("base64url");
}

function modPowBigInt(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = base % modulus;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
  }
  return result;
}

/**
 * base^exponent mod modulus for an odd modulus of at least 256 bits with 0 ≤ base < modulus and
 * 1 ≤ exponent < modulus. node:crypto has no modular exponentiation, but textbook RSA is exactly that:
 * encrypting `base` with RSA_NO_PADDING under the "public key" (n = modulus, e = exponent) makes OpenSSL compute
 * it, about 10× faster than BigInt arithmetic. Falls back to BigInt if OpenSSL refuses the parameters.
 */
export function modPow(base: bigint, exponent: bigint, modulus: bigint, modulusBytes: number): bigint {
  try {
    const key = createPublicKey({
      key: { kty: "RSA", n: base64url(modulus), e: base64url(exponent) },
      format: "jwk",
    });
    const out = publicEncrypt({ key, padding: constants.RSA_NO_PADDING }, bigIntToBytes(base, modulusBytes));
    return BigInt(`0x${out.toString("hex")}`);
  } catch {
    return modPowBigInt(base, exponent, modulus);
  }
}
