import type { KeyObject } from "node:crypto";
import { callAdminApi, type AdminApiBody, type AdminApiOptions } from "../../protocol/index.js";
import type { PublishedEkCertificateDocument, VendorFaultsDocument } from "./admin-routes.js";

/** Where the vendor admin API runs and how to reach it. */
export type VendorAdminClientOptions = AdminApiOptions;

const MAX_ANSWER_BYTES = 64 * 1024;

function call<T>(options: VendorAdminClientOptions, method: "GET" | "PUT" | "DELETE" | "POST", path: string, body?: AdminApiBody): Promise<T> {
  return callAdminApi<T>(options, method, path, { maxAnswerBytes: MAX_ANSWER_BYTES, ...(body === undefined ? {} : { body }) });
}

function faultsPath(vendor: string): string {
  return `admin/vendors/${encodeURIComponent(vendor)}/faults`;
}

/** The faults of `vendor` at a running server. */
export function getVendorFaults(options: VendorAdminClientOptions, vendor: string): Promise<VendorFaultsDocument> {
  return call(options, "GET", faultsPath(vendor));
}

/** Replaces the faults of `vendor` at a running server (texts as parseVendorFaultSpec reads them). */
export function setVendorFaults(options: VendorAdminClientOptions, vendor: string, faults: readonly string[]): Promise<VendorFaultsDocument> {
  return call(options, "PUT", faultsPath(vendor), { type: "application/json", data: JSON.stringify({ faults }) });
}

/** Switches every fault of `vendor` off at a running server. */
export function clearVendorFaults(options: VendorAdminClientOptions, vendor: string): Promise<VendorFaultsDocument> {
  return call(options, "DELETE", faultsPath(vendor));
}

/** Publishes an EK certificate (DER) at `vendor`'s service of a running server; `ekPublicKey` when not its own key. */
export function publishEkCertificateAt(
  options: VendorAdminClientOptions,
  vendor: string,
  der: Uint8Array,
  ekPublicKey?: KeyObject,
): Promise<PublishedEkCertificateDocument> {
  const query = ekPublicKey === undefined ? "" : `?ek=${ekPublicKey.export({ type: "spki", format: "der" }).toString("base64url")}`;
  return call(options, "POST", `admin/vendors/${encodeURIComponent(vendor)}/ek-certificates${query}`, { type: "application/pkix-cert", data: der });
}
