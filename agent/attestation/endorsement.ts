/**
 * Steps 2 and 3: the EK from the default templates (EK profile L-1 RSA / L-2 ECC) and its certificate —
 * from NV for discrete TPMs, from the vendor's endpoint for firmware TPMs (reference §1.4), with the
 * intermediates above it collected through AIA.
 */
import { performance } from "node:perf_hooks";
import { EK_CERT_NV_INDEX, TPM_RH, ekTemplateEcc, ekTemplateRsa, type TPMS_NV_PUBLIC } from "../../tpm2/index.js";
import type { CreatedPrimary, TpmDevice } from "../tpm/tpm-device.js";
import type { CertificateCache } from "./certificate-cache.js";
import { collectIntermediates, fetchVendorEkCertificate } from "./ek-certificate.js";
import { serviceFailure, tpmFailure } from "./failures.js";
import { firmwareTpmVendor } from "./firmware-vendors.js";
import type { Exchange } from "./http-exchange.js";
import { AttestationFailure } from "./outcome.js";
import type { StepRecorder } from "./step-recorder.js";
import type { TpmIdentity } from "./tpm-properties.js";

/** rsa, ecc, or auto: RSA when NV holds an RSA EK certificate, else ECC when it holds an ECC one, else RSA. */
export type EkChoice = "rsa" | "ecc" | "auto";

/** Whether NV holds a written certificate at the EK certificate index of `kind`. */
async function nvCertificate(device: TpmDevice, kind: "rsa" | "ecc"): Promise<TPMS_NV_PUBLIC | undefined> {
  const nv = await device.nvPublic(EK_CERT_NV_INDEX[kind]);
  return nv !== undefined && nv.dataSize > 0 ? nv : undefined;
}

export interface Endorsement {
  readonly kind: "rsa" | "ecc";
  readonly key: CreatedPrimary;
  readonly nvCertificate: TPMS_NV_PUBLIC | undefined;
}

/** Step 2: picks the EK kind and creates it from the default template (L-1 / L-2). */
export async function createEndorsementKey(device: TpmDevice, choice: EkChoice, track: (handle: number) => void): Promise<Endorsement> {
  let kind: "rsa" | "ecc" = choice === "ecc" ? "ecc" : "rsa";
  let nv = await nvCertificate(device, kind);
  if (choice === "auto" && nv === undefined) {
    const ecc = await nvCertificate(device, "ecc");
    if (ecc !== undefined) [kind, nv] = ["ecc", ecc];
  }
  const key = await device.createPrimary(TPM_RH.ENDORSEMENT, kind === "rsa" ? ekTemplateRsa() : ekTemplateEcc());
  track(key.handle);
  return { kind, key, nvCertificate: nv };
}

export interface EkCertificateEvidence {
  readonly certificate: Buffer | undefined;
  readonly intermediates: Buffer[];
  /** Why there is none (a registry code), when there is none. */
  readonly missing?: string;
}

/**
 * Step 3. NV first; for a firmware TPM without one, the vendor's endpoint. When neither yields a
 * certificate the step is skipped and the request goes without (the service fetches it for firmware TPMs).
 */
export async function obtainEkCertificate(
  device: TpmDevice,
  identity: TpmIdentity,
  ek: Endorsement,
  serverUrl: string,
  exchange: Exchange,
  steps: StepRecorder,
  cache: CertificateCache,
): Promise<EkCertificateEvidence> {
  const started = performance.now();
  let certificate: Buffer;
  let source: string;
  if (ek.nvCertificate !== undefined) {
    try {
      certificate = await device.readNv(ek.nvCertificate, identity.nvBufferMax);
    } catch (error) {
      const failure = tpmFailure(error);
      steps.fail("ekCertificate", started, failure);
      throw failure;
    }
    source = `NV index 0x${ek.nvCertificate.nvIndex.toString(16)}`;
  } else {
    const vendor = firmwareTpmVendor(identity.properties.manufacturer);
    if (vendor === undefined) {
      steps.skip("ekCertificate", started, AttestationFailure.of("EK_CERT_MISSING", "no EK certificate in NV and no vendor endpoint for this manufacturer"));
      return { certificate: undefined, intermediates: [], missing: "EK_CERT_MISSING" };
    }
    try {
      certificate = await fetchVendorEkCertificate(vendor, ek.key.public, serverUrl, exchange);
    } catch (error) {
      const failure = serviceFailure(error);
      steps.skip("ekCertificate", started, failure);
      return { certificate: undefined, intermediates: [], missing: failure.code };
    }
    source = `${vendor.code} EK certificate service`;
  }
  const intermediates = await collectIntermediates(certificate, serverUrl, exchange, cache);
  steps.ok("ekCertificate", started, `from ${source}, ${intermediates.length} intermediate(s) via AIA`);
  return { certificate, intermediates };
}

