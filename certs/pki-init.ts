import { loadTpmRootCa } from "./aik-pki.js";
import { loadVendorPki } from "./vendor-pki.js";
import { VENDORS, type TpmVendorKind } from "./vendors.js";

/** What {@link initPki} made or found: every vendor's CAs and the TPM Root CA. */
export interface PkiInitSummary {
  readonly vendors: readonly {
    readonly code: string;
    readonly kind: TpmVendorKind;
    readonly host: string;
    /** CA names, roots first. */
    readonly cas: readonly string[];
  }[];
  readonly tpmRoot: { readonly name: string; readonly subject: string };
}

/**
 * Creates every simulated vendor PKI and the TPM Root CA under `home` (`apsim pki init`); those that exist
 * are kept. Vendors are created one after another so RSA key generation does not starve a busy machine.
 */
export async function initPki(home: string): Promise<PkiInitSummary> {
  const vendors: PkiInitSummary["vendors"][number][] = [];
  for (const identity of VENDORS) {
    const pki = await loadVendorPki(home, identity.code);
    vendors.push({
      code: identity.code,
      kind: identity.kind,
      host: identity.host,
      cas: [...pki.roots, ...pki.issuingCas].map((ca) => ca.name),
    });
  }
  const root = await loadTpmRootCa(home);
  return { vendors, tpmRoot: { name: root.name, subject: root.certificate.subject } };
}
