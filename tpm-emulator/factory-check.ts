/**
 * Factory check: manufactures TPMs of several vendors and reports what each one says about itself and whether
 * its EK certificates chain to the vendor's root. The main job runs this until the fleet exists.
 */
import { loadVendorPki, parseEkCertificate, verifyEkChain } from "../certs/index.js";
import { EK_CERT_NV_INDEX } from "../tpm2/index.js";
import { describeTpm, manufactureTpm } from "./manufacture.js";
import type { EkKind } from "./vendor-profiles.js";

export interface FactoryCheckRow {
  vendor: string;
  manufacturerId: string;
  model: string;
  kind: "discrete" | "firmware";
  firmware: string;
  eks: {
    kind: EkKind;
    publicSha256: string;
    /** "valid", "none (served online)" for firmware TPMs, or the failure. */
    certificate: string;
  }[];
}

export async function runFactoryCheck(opts: { home: string; vendors: readonly string[]; now?: Date }): Promise<FactoryCheckRow[]> {
  const rows: FactoryCheckRow[] = [];
  for (const vendor of opts.vendors) {
    const tpm = await manufactureTpm({ vendor, home: opts.home, ...(opts.now ? { now: opts.now } : {}) });
    const info = describeTpm(tpm);
    const pki = info.kind === "discrete" ? await loadVendorPki(opts.home, info.vendor) : undefined;
    const eks: FactoryCheckRow["eks"] = [];
    for (const kind of tpm.runtime.state.identity.provisionedEks) {
      const nv = tpm.runtime.nvIndex(EK_CERT_NV_INDEX[kind]);
      let certificate = "none (served online)";
      if (nv && pki) {
        const status = await verifyEkChain(pki, kind, nv.data, opts.now);
        const parsed = parseEkCertificate(nv.data);
        const keyMatches =
          Buffer.compare(
            parsed.publicKey.export({ type: "spki", format: "der" }),
            Buffer.from(info.ekPublic[kind]!.replace(/-----[^-]+-----|\s/g, ""), "base64"),
          ) === 0;
        certificate = !status.valid ? `invalid: ${status.reason}` : keyMatches ? "valid" : "invalid: key differs from the EK";
      }
      eks.push({ kind, publicSha256: info.ekPublicSha256[kind]!, certificate });
    }
    rows.push({ vendor: info.vendor, manufacturerId: info.manufacturerId, model: info.model, kind: info.kind, firmware: info.firmware, eks });
  }
  return rows;
}
