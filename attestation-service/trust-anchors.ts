import type { x509} from "../certs/index.js";
import { VENDORS, loadVendorPki, type VendorCode } from "../certs/index.js";

/** A root CA the service trusts for EK certificates, and whose it is. */
export interface TrustAnchor {
  readonly vendor: VendorCode;
  /** TCG vendor ID of that vendor. */
  readonly manufacturerId: number;
  readonly certificate: x509.X509Certificate;
}

/** Every simulated vendor's root CAs (created under `home` on first use), as the service's EK trust anchors. */
export async function loadTrustAnchors(home: string): Promise<TrustAnchor[]> {
  const pkis = await Promise.all(VENDORS.map((vendor) => loadVendorPki(home, vendor.code)));
  return pkis.flatMap((pki) =>
    pki.roots.map((root) => ({ vendor: pki.identity.code, manufacturerId: pki.identity.manufacturerId, certificate: root.certificate })),
  );
}
