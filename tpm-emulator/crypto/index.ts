/** The emulator's own cryptography: deterministic derivation of primary keys from hierarchy seeds. */
export * from "./derive-primary.js";
export { SeededDrbg } from "./seeded-drbg.js";
export { deriveRocaRsaKey, hasRocaFingerprint } from "./roca.js";
