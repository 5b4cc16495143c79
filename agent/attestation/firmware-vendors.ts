/**
 * Firmware TPMs whose EK certificates are not in NV but served by their vendor (reference §1.4: Intel PTT,
 * AMD fTPM, Qualcomm), by TCG vendor ID (TPM_PT_MANUFACTURER), with the style of their service and the
 * virtual host our simulated vendor serves it on.
 */
import type { EkCertificateServiceStyle } from "../../protocol/index.js";

/** A vendor that publishes EK certificates online. */
export interface FirmwareTpmVendor {
  readonly code: string;
  readonly style: EkCertificateServiceStyle;
  /** Virtual host of the vendor's endpoints (`pki.<code>.vendors.apsim.test`). */
  readonly host: string;
}

const vendor = (code: string, style: EkCertificateServiceStyle): FirmwareTpmVendor => ({
  code,
  style,
  host: `pki.${code.toLowerCase()}.vendors.apsim.test`,
});

const BY_MANUFACTURER: ReadonlyMap<number, FirmwareTpmVendor> = new Map([
  [0x494e5443, vendor("INTC", "intel")],
  [0x414d4400, vendor("AMD", "amd")],
  [0x51434f4d, vendor("QCOM", "qualcomm")],
]);

/** The online EK-certificate vendor of a TPM manufacturer, or undefined for discrete-TPM vendors. */
export function firmwareTpmVendor(manufacturer: number): FirmwareTpmVendor | undefined {
  return BY_MANUFACTURER.get(manufacturer >>> 0);
}
