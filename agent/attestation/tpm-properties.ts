/**
 * Step 1: who the TPM says it is (GetCapability TPM_PT_* fixed properties, Part 2 §6.13), as the
 * protocol's TpmProperties, plus the NV buffer size the EK certificate read needs.
 */
import type { TpmProperties } from "../../protocol/index.js";
import { TPM_PT } from "../../tpm2/index.js";
import type { TpmDevice } from "../tpm/tpm-device.js";

/** What step 1 learns. */
export interface TpmIdentity {
  readonly properties: TpmProperties;
  /** TPM_PT_NV_BUFFER_MAX: the largest NV_Read. */
  readonly nvBufferMax: number;
}

/** Four ASCII characters packed big-endian in a UINT32, NULs dropped. */
function fourChars(value: number | undefined): string {
  if (value === undefined) return "";
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(value >>> 0);
  return bytes.toString("latin1").replaceAll("\0", "");
}

/** Reads the fixed properties; a TPM that does not report family "2.0" is returned as is (the caller decides). */
export async function readTpmIdentity(device: TpmDevice): Promise<TpmIdentity> {
  const p = await device.fixedProperties();
  const vendorString = [TPM_PT.VENDOR_STRING_1, TPM_PT.VENDOR_STRING_2, TPM_PT.VENDOR_STRING_3, TPM_PT.VENDOR_STRING_4]
    .map((property) => fourChars(p.get(property)))
    .join("")
    .slice(0, 16);
  return {
    properties: {
      manufacturer: p.get(TPM_PT.MANUFACTURER) ?? 0,
      firmwareVersion1: p.get(TPM_PT.FIRMWARE_VERSION_1) ?? 0,
      firmwareVersion2: p.get(TPM_PT.FIRMWARE_VERSION_2) ?? 0,
      specRevision: p.get(TPM_PT.REVISION) ?? 0,
      specLevel: p.get(TPM_PT.LEVEL) ?? 0,
      vendorString,
      family: fourChars(p.get(TPM_PT.FAMILY_INDICATOR)).slice(0, 8),
    },
    nvBufferMax: p.get(TPM_PT.NV_BUFFER_MAX) || 512,
  };
}
