/**
 * What registration reads from a hardware hash: the hash must decode (magic, records, CS checksum), and the
 * SMBIOS manufacturer and product name become the device's manufacturer and model, as the Autopilot devices
 * list shows them. Serial number, product ID, group tag and user come from the registration itself.
 */
import { decodeHardwareHash } from "../../protocol/index.js";

/** Manufacturer and model of a decodable hash. */
export interface HashIdentity {
  readonly manufacturer: string;
  readonly model: string;
}

/**
 * Decodes a base64 hash far enough to register it.
 * @throws ProtocolError HARDWARE_HASH_MALFORMED, HARDWARE_HASH_CHECKSUM_MISMATCH or HARDWARE_HASH_TOO_LARGE.
 */
export function hashIdentity(hardwareHash: string): HashIdentity {
  const { fields } = decodeHardwareHash(hardwareHash);
  return { manufacturer: fields.smbiosSystemManufacturer ?? "", model: fields.smbiosSystemProductName ?? "" };
}
