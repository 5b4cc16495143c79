/**
 * The simulated PKIs as a trust bundle in the folder layout of Microsoft's TrustedTpm.cab, so tools that
 * consume that cab (Windows' setup.ps1 stores, tpm_roots, keylime-style stores) can be pointed at it.
 */
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { writeFileAtomic } from "../lib/index.js";
import { listAikIssuingCas, loadTpmRootCa } from "./aik-pki.js";
import { loadVendorPki } from "./vendor-pki.js";
import { VENDORS } from "./vendors.js";
import type { x509 } from "./x509.js";

/**
 * Folder of the TPM Root CA and the AIK issuing CAs: the cab's `Microsoft` folder holds Microsoft's TPM
 * root and AIK CAs; ours are not Microsoft's, so the folder says what they are instead.
 */
export const TRUST_BUNDLE_TPM_ROOT_FOLDER = "TpmRoot";

const MONTHS = [
  "January", "February", "March", "April", "May", "June",
  "July", "August", "September", "October", "November", "December",
] as const;

/** What {@link exportTrustBundle} wrote. */
export interface TrustBundleSummary {
  /** Paths relative to the output directory, `/`-separated, sorted. */
  readonly files: readonly string[];
}

/** `21-November-2024`, the date form of the cab's version.txt (UTC). */
function cabDate(at: Date): string {
  return `${String(at.getUTCDate()).padStart(2, "0")}-${MONTHS[at.getUTCMonth()] ?? ""}-${at.getUTCFullYear()}`;
}

/**
 * Writes the trust bundle to `outDir`: `<Vendor>/RootCA/<name>.cer` and `<Vendor>/IntermediateCA/<name>.cer`
 * (DER) for every simulated vendor (folders named as in the cab: Infineon, STMicro, Nuvoton, Intel, AMD, QC,
 * IBM), `TpmRoot/RootCA/TpmRootCA.cer` and `TpmRoot/IntermediateCA/<VENDOR>-KEYID-<hex>.cer` for every AIK
 * issuing CA created so far, and `version.txt` ("The certificates were last updated on: <date>", CRLF like
 * the cab's). Creates the vendor PKIs and the TPM Root CA if they do not exist yet.
 */
export async function exportTrustBundle(home: string, outDir: string, at: Date = new Date()): Promise<TrustBundleSummary> {
  const files: string[] = [];
  const write = async (folder: string, store: "RootCA" | "IntermediateCA", name: string, certificate: x509.X509Certificate) => {
    const relative = `${folder}/${store}/${name}.cer`;
    await mkdir(path.join(outDir, folder, store), { recursive: true });
    await writeFileAtomic(path.join(outDir, relative), new Uint8Array(certificate.rawData), { mode: 0o644 });
    files.push(relative);
  };
  for (const vendor of VENDORS) {
    const pki = await loadVendorPki(home, vendor.code);
    for (const ca of pki.roots) await write(vendor.trustBundleFolder, "RootCA", ca.name, ca.certificate);
    for (const ca of pki.issuingCas) await write(vendor.trustBundleFolder, "IntermediateCA", ca.name, ca.certificate);
  }
  const root = await loadTpmRootCa(home);
  await write(TRUST_BUNDLE_TPM_ROOT_FOLDER, "RootCA", root.name, root.certificate);
  for (const ca of await listAikIssuingCas(home)) {
    await write(TRUST_BUNDLE_TPM_ROOT_FOLDER, "IntermediateCA", ca.name, ca.certificate);
  }
  const version = [
    `The certificates were last updated on: ${cabDate(at)}`,
    "Simulated TPM vendor and AIK certificate authorities of apsim; not real CAs.",
    "",
  ].join("\r\n");
  await writeFileAtomic(path.join(outDir, "version.txt"), version, { mode: 0o644 });
  files.push("version.txt");
  return { files: files.sort() };
}
