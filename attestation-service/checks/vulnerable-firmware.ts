import { ProtocolError } from "../../protocol/index.js";

/** A TPM firmware version as Windows compares it: major.minor from TPM_PT_FIRMWARE_VERSION_1 (major << 16 | minor). */
export interface FirmwareVersion {
  readonly major: number;
  readonly minor: number;
}

/** One vulnerable range: every minor of `major` up to `maxMinor`, or from `minMinor` to `maxMinor`. */
interface BlockedRange {
  readonly major: number;
  readonly minMinor?: number;
  readonly maxMinor: number;
}

/**
 * ADV170012 (Infineon ROCA): the advisory's detection script flags manufacturer IFX firmware
 * 4.x ≤ 4.33 or 4.40–4.42, 5.x ≤ 5.61, 6.x ≤ 6.42, 7.x ≤ 7.61, 133.x ≤ 133.32 (reference §1.3).
 */
export const BLOCKED_FIRMWARE: Readonly<Record<number, readonly BlockedRange[]>> = Object.freeze({
  0x49465800: [
    { major: 4, maxMinor: 33 },
    { major: 4, minMinor: 40, maxMinor: 42 },
    { major: 5, maxMinor: 61 },
    { major: 6, maxMinor: 42 },
    { major: 7, maxMinor: 61 },
    { major: 133, maxMinor: 32 },
  ],
});

/** major.minor of a TPM_PT_FIRMWARE_VERSION_1 value (or of an EK certificate's tcg-at-tpmVersion). */
export function firmwareVersionOf(version1: number): FirmwareVersion {
  return { major: version1 >>> 16, minor: version1 & 0xffff };
}

function compareVersions(a: FirmwareVersion, b: FirmwareVersion): number {
  return a.major !== b.major ? a.major - b.major : a.minor - b.minor;
}

/** Whether `version` of a TPM by `manufacturer` is on the block list. */
export function isFirmwareBlocked(manufacturer: number, version: FirmwareVersion): boolean {
  return (BLOCKED_FIRMWARE[manufacturer] ?? []).some(
    (range) => range.major === version.major && version.minor >= (range.minMinor ?? 0) && version.minor <= range.maxMinor,
  );
}

/**
 * Refuses firmware on the vendor's block list. The version checked is what the device reports (attestations by
 * owner-hierarchy keys obfuscate it); when the EK certificate names the firmware it was issued for
 * (tcg-at-tpmVersion), that version is checked too unless the reported one is newer (an update since manufacture).
 * @throws ProtocolError TPM_FIRMWARE_BLOCKED
 */
export function checkFirmwareNotBlocked(manufacturer: number, reportedVersion1: number, certifiedVersion1?: number): void {
  const reported = firmwareVersionOf(reportedVersion1);
  const shown = (v: FirmwareVersion) => `${v.major}.${v.minor}`;
  if (isFirmwareBlocked(manufacturer, reported)) {
    throw new ProtocolError("TPM_FIRMWARE_BLOCKED", `firmware ${shown(reported)} (ADV170012)`);
  }
  if (certifiedVersion1 === undefined) return;
  const certified = firmwareVersionOf(certifiedVersion1);
  if (compareVersions(reported, certified) <= 0 && isFirmwareBlocked(manufacturer, certified)) {
    throw new ProtocolError("TPM_FIRMWARE_BLOCKED", `EK certificate names firmware ${shown(certified)} (ADV170012)`);
  }
}
