import { TPM_RH } from "../constants.js";
import { kdfa } from "./kdf.js";

/** The privacy-sensitive fields of a TPMS_ATTEST: clockInfo.resetCount, clockInfo.restartCount, firmwareVersion. */
export interface ClockInfoCounters {
  /** UINT32 */
  readonly resetCount: number;
  /** UINT32 */
  readonly restartCount: number;
  /** UINT64 */
  readonly firmwareVersion: bigint;
}

const U64 = (1n << 64n) - 1n;

/**
 * Whether an attestation signed by a key of `hierarchy` carries obfuscated counters (Part 3 §18.1): keys of the
 * Endorsement and Platform hierarchies report them in clear; keys of the Owner hierarchy and of TPM_RH_NULL
 * (ephemeral keys, and the unsigned case where signHandle is TPM_RH_NULL) get them obfuscated, so that
 * attestations by different owner keys cannot be linked through reset counts.
 * @param hierarchy TPM_RH_ENDORSEMENT, TPM_RH_PLATFORM, TPM_RH_OWNER or TPM_RH_NULL.
 */
export function isClockInfoObfuscated(hierarchy: number): boolean {
  return hierarchy !== TPM_RH.ENDORSEMENT && hierarchy !== TPM_RH.PLATFORM;
}

/**
 * Obfuscates the counters of a TPMS_ATTEST, Part 3 §18.1:
 * obfuscation = KDFa(nameAlg, shProof, "OBFUSCATE", signKeyName, empty, 128); its first 64 bits (big-endian) are
 * added to firmwareVersion, the next 32 to resetCount and the last 32 to restartCount, each modulo its width.
 * The value is stable for one key until shProof changes (TPM2_Clear), so one verifier sees consistent deltas.
 * Call only when {@link isClockInfoObfuscated} holds for the signing key's hierarchy.
 * @param nameAlg the signing key's nameAlg.
 * @param shProof the Owner (storage) hierarchy proof value.
 * @param signKeyName the signing key's Name (for TPM_RH_NULL, its 4-octet handle).
 */
export function obfuscateClockInfo(
  nameAlg: number,
  shProof: Uint8Array,
  signKeyName: Uint8Array,
  counters: ClockInfoCounters,
): ClockInfoCounters {
  const obfuscation = kdfa(nameAlg, shProof, "OBFUSCATE", signKeyName, Buffer.alloc(0), 128);
  return {
    firmwareVersion: (counters.firmwareVersion + obfuscation.readBigUInt64BE(0)) & U64,
    resetCount: (counters.resetCount + obfuscation.readUInt32BE(8)) >>> 0,
    restartCount: (counters.restartCount + obfuscation.readUInt32BE(12)) >>> 0,
  };
}
