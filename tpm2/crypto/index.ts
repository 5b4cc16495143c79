/**
 * The cryptography of the TPM 2.0 specification on node:crypto: hashes and HMAC, KDFa/KDFe, AES and parameter
 * encryption, session keys and HMACs, policy digests, attestation obfuscation, and ECC/RSA key conversions.
 * Pure functions of bytes and KeyObjects; no I/O.
 */
export * from "./hash.js";
export * from "./kdf.js";
export * from "./bigint.js";
export * from "./symmetric.js";
export * from "./session.js";
export * from "./policy.js";
export * from "./obfuscation.js";
export * from "./ecc.js";
export * from "./rsa.js";
export * from "./random.js";
