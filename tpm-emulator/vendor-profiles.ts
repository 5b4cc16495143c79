/**
 * What each simulated vendor's TPM reports about itself (GetCapability fixed properties) and how it is built,
 * one table entry per vendor. The vendors' PKIs live in certs/; the code ties the two together.
 */
import type { VendorCode } from "../certs/index.js";

export type EkKind = "rsa" | "ecc";

export interface VendorProfile {
  code: VendorCode;
  /** TPM_PT_VENDOR_STRING_1..4: four ASCII characters each. */
  vendorStrings: [string, string, string, string];
  model: string;
  kind: "discrete" | "firmware";
  /** Default firmware version as MAJOR.MINOR (TPM_PT_FIRMWARE_VERSION_1 = major << 16 | minor). */
  firmware: { major: number; minor: number };
  /** TPM_PT_FIRMWARE_VERSION_2 */
  firmware2: number;
  /** TPM_PT_REVISION (spec revision × 100), TPM_PT_LEVEL, TPM_PT_YEAR, TPM_PT_DAY_OF_YEAR. */
  spec: { level: number; revision: number; year: number; dayOfYear: number };
  /** EK kinds provisioned when the manufacturer does not say. */
  defaultEks: readonly EkKind[];
}

export const VENDOR_PROFILES: readonly VendorProfile[] = [
  {
    code: "IFX",
    vendorStrings: ["SLB9", "672\0", "\0\0\0\0", "\0\0\0\0"],
    model: "SLB9672",
    kind: "discrete",
    firmware: { major: 16, minor: 10 },
    firmware2: 0x00043000,
    spec: { level: 0, revision: 159, year: 2021, dayOfYear: 82 },
    defaultEks: ["rsa", "ecc"],
  },
  {
    code: "STM",
    vendorStrings: ["ST33", "KTPM", "2XSP", "I\0\0\0"],
    model: "ST33KTPM2X",
    kind: "discrete",
    firmware: { major: 9, minor: 257 },
    firmware2: 0x00000000,
    spec: { level: 0, revision: 159, year: 2020, dayOfYear: 246 },
    defaultEks: ["rsa", "ecc"],
  },
  {
    code: "NTC",
    vendorStrings: ["NPCT", "75x\0", "rls\0", "\0\0\0\0"],
    model: "NPCT75x",
    kind: "discrete",
    firmware: { major: 7, minor: 2 },
    firmware2: 0x00020100,
    spec: { level: 0, revision: 138, year: 2018, dayOfYear: 254 },
    defaultEks: ["rsa", "ecc"],
  },
  {
    code: "INTC",
    vendorStrings: ["Inte", "l\0\0\0", "\0\0\0\0", "\0\0\0\0"],
    model: "PTT",
    kind: "firmware",
    firmware: { major: 600, minor: 18 },
    firmware2: 0x00640014,
    spec: { level: 0, revision: 138, year: 2019, dayOfYear: 53 },
    defaultEks: ["rsa", "ecc"],
  },
  {
    code: "AMD",
    vendorStrings: ["AMD ", "\0\0\0\0", "\0\0\0\0", "\0\0\0\0"],
    model: "fTPM",
    kind: "firmware",
    firmware: { major: 6, minor: 32 },
    firmware2: 0x00060006,
    spec: { level: 0, revision: 138, year: 2020, dayOfYear: 56 },
    defaultEks: ["rsa"],
  },
  {
    code: "QCOM",
    vendorStrings: ["QCOM", "\0\0\0\0", "\0\0\0\0", "\0\0\0\0"],
    model: "SPU-TPM",
    kind: "firmware",
    firmware: { major: 1, minor: 0 },
    firmware2: 0x00000000,
    spec: { level: 0, revision: 159, year: 2021, dayOfYear: 100 },
    defaultEks: ["ecc"],
  },
];

/** The profile of a vendor code (case-insensitive), or undefined. */
export function findVendorProfile(code: string): VendorProfile | undefined {
  const want = code.toUpperCase();
  return VENDOR_PROFILES.find((p) => p.code === want);
}
