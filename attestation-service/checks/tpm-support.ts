import { vendorByManufacturerId } from "../../certs/index.js";
import { ProtocolError, type TpmProperties } from "../../protocol/index.js";

/** TCG vendor ID "MSFT": what hypervisor virtual TPMs (Hyper-V) report. */
export const VIRTUAL_TPM_MANUFACTURER = 0x4d534654;

/**
 * Refuses parts Autopilot refuses (memdocs self-deploying/pre-provision: "Virtual machines aren't supported",
 * TPM 2.0 required): anything but a TPM 2.0 family, and, unless `allowSoftwareTpm`, software TPMs (a vendor of
 * kind "software", such as IBM for swtpm) and virtual TPMs (manufacturer MSFT).
 * @throws ProtocolError TPM_NOT_SUPPORTED
 */
export function checkTpmSupported(tpm: TpmProperties, allowSoftwareTpm: boolean): void {
  if (tpm.family !== "2.0") throw new ProtocolError("TPM_NOT_SUPPORTED", `TPM family ${JSON.stringify(tpm.family)} is not 2.0`);
  if (allowSoftwareTpm) return;
  if (tpm.manufacturer === VIRTUAL_TPM_MANUFACTURER) throw new ProtocolError("TPM_NOT_SUPPORTED", "virtual TPM (manufacturer MSFT)");
  const vendor = vendorByManufacturerId(tpm.manufacturer);
  if (vendor?.kind === "software") throw new ProtocolError("TPM_NOT_SUPPORTED", `software TPM (manufacturer ${vendor.code})`);
}
