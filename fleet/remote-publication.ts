/**
 * A fleet against services of another home (`--server`): the firmware TPMs this factory made have their EK
 * certificates only in this home's vendor store, so they are published to the server's vendor endpoints through
 * its admin API before the devices start, as a vendor's factory uploads to its online service.
 */
import { findVendor, listPublishedEkCertificates } from "../certs/index.js";
import { publishEkCertificateAt } from "../attestation-service/index.js";
import { TpmEmulator, describeTpm } from "../tpm-emulator/index.js";
import type { TpmFactory, TpmOrder } from "./factory.js";

/** Where to publish. */
export interface RemotePublicationTarget {
  readonly serverUrl: string;
  readonly ca: string;
  readonly adminToken: string;
}

/** Publishes the EK certificates of the orders' firmware TPMs; returns how many were published. */
export async function publishFirmwareEkCertificates(
  home: string,
  factory: TpmFactory,
  orders: readonly TpmOrder[],
  target: RemotePublicationTarget,
): Promise<number> {
  const firmware = orders.filter((order) => findVendor(order.vendor)?.kind === "firmware");
  const byVendor = new Map<string, Map<string, Awaited<ReturnType<typeof listPublishedEkCertificates>>[number]>>();
  for (const vendor of new Set(firmware.map((order) => order.vendor))) {
    byVendor.set(vendor, new Map((await listPublishedEkCertificates(home, vendor)).map((entry) => [entry.name, entry])));
  }
  const queue = [...firmware];
  let published = 0;
  const lane = async () => {
    for (let order = queue.shift(); order !== undefined; order = queue.shift()) {
      const info = describeTpm(TpmEmulator.fromStateBytes(await factory.stateOf(order)));
      for (const name of Object.values(info.ekPublicSha256)) {
        const entry = byVendor.get(order.vendor)?.get(name);
        if (entry === undefined) continue; // e.g. a `no-ek-cert` TPM: nothing was published for it
        await publishEkCertificateAt({ serverUrl: target.serverUrl, ca: target.ca, adminToken: target.adminToken }, order.vendor, entry.certificate, entry.ekPublicKey);
        published++;
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, lane));
  return published;
}
