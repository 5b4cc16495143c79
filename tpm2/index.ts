/**
 * TPM 2.0 wire library: constants, structures as schemas, the codec, command definitions and framing, and the
 * spec's crypto. No I/O; used by the emulator and by its clients alike.
 */
export * from "./constants.js";
export * from "./errors.js";
export * from "./codec.js";
export * from "./structures.js";
export * from "./commands.js";
export * from "./frames.js";
export * from "./crypto/index.js";
export * from "./client.js";
export * from "./templates.js";
export * from "./attest.js";
export * from "./credential.js";
export * from "./roca-fingerprint.js";
