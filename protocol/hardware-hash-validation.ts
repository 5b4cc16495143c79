/**
 * What oa3tool's /ValidateHwHash reports: the critical fields of a hash that are missing or unusable
 * (OA 3.0 tool documentation, via reference enrollment §3.1: DiskSerialNumber, TpmVersion, EkPubHash,
 * MacAddress, ProductKeyId, SmbiosSystemFamily, SmbiosSystemManufacturer, SmbiosSystemProductName,
 * SmbiosSystemSerialNumber, SmbiosSkuNumber, SmbiosUuid). The TPM fields only matter where the device must
 * attest its TPM (self-deploying and pre-provisioning, reference §3.3); a user-driven deployment goes on
 * without them.
 */
import type { HardwareHashFields } from "./hardware-hash-fields.js";
import { ekPubHashOf, type DecodedHardwareHash } from "./hardware-hash.js";

/** Stable codes of hash findings. */
export type HashFindingCode =
  | "HASH_FIELD_MISSING"
  | "HASH_FIELD_INVALID"
  | "HASH_TPM_MISSING"
  | "HASH_TPM_VERSION_UNSUPPORTED"
  | "HASH_EK_MISSING"
  | "HASH_EK_HASH_MISMATCH"
  | "HASH_VIRTUAL_MACHINE";

/**
 * Which deployments a finding stops: `all` (the device cannot be registered reliably), or
 * `tpm-attestation` (self-deploying and pre-provisioning, which attest a physical TPM 2.0).
 */
export type HashFindingScope = "all" | "tpm-attestation";

/** One problem with a critical field. */
export interface HashFinding {
  readonly code: HashFindingCode;
  /** The field as oa3tool names it. */
  readonly field: string;
  readonly scope: HashFindingScope;
  readonly message: string;
}

/** Values firmware leaves in SMBIOS strings nobody filled in (compared case-insensitively, trimmed). */
const PLACEHOLDERS = new Set(
  [
    "to be filled by o.e.m.",
    "default string",
    "system serial number",
    "system manufacturer",
    "system product name",
    "system sku",
    "sku",
    "not applicable",
    "not specified",
    "none",
    "n/a",
    "o.e.m.",
    "oem",
    "0",
    "123456789",
  ].map((s) => s.toLowerCase()),
);

const SMBIOS_TEXT_FIELDS = [
  ["SmbiosSystemManufacturer", "smbiosSystemManufacturer"],
  ["SmbiosSystemProductName", "smbiosSystemProductName"],
  ["SmbiosSystemSerialNumber", "smbiosSystemSerialNumber"],
  ["SmbiosSkuNumber", "smbiosSkuNumber"],
  ["SmbiosSystemFamily", "smbiosSystemFamily"],
] as const satisfies readonly (readonly [string, keyof HardwareHashFields])[];

/** The TPM version record of a TPM 2.0 part, and its vendor ID. */
const TPM_20 = /^TPM-Version:2\.0 /;
const TPM_VENDOR = /-VendorID:'([^']*)'/;
/** A hypervisor's virtual TPM reports Microsoft's vendor ID (Hyper-V, Azure). */
const VIRTUAL_TPM_VENDORS = new Set(["MSFT"]);

/** Checks the critical fields of a decoded hash; an empty list means oa3tool would find nothing to report. */
export function validateHardwareHash(hash: DecodedHardwareHash): HashFinding[] {
  const findings: HashFinding[] = [];
  const fields = hash.fields;
  const undecodable = new Set(hash.records.filter((r) => r.error !== undefined).map((r) => r.name));
  const add = (code: HashFindingCode, field: string, scope: HashFindingScope, message: string) =>
    findings.push({ code, field, scope, message });
  const absent = (field: string, scope: HashFindingScope = "all") =>
    undecodable.has(field)
      ? add("HASH_FIELD_INVALID", field, scope, `${field} does not decode`)
      : add("HASH_FIELD_MISSING", field, scope, `${field} is missing`);

  for (const [name, key] of SMBIOS_TEXT_FIELDS) {
    const value = fields[key];
    if (value === undefined) absent(name);
    else if (isPlaceholder(value)) add("HASH_FIELD_INVALID", name, "all", `${name} is a placeholder ('${value.trim()}')`);
  }
  if (fields.smbiosUuid === undefined) absent("SmbiosUuid");
  else if (/^[0-]+$/.test(fields.smbiosUuid) || /^[f-]+$/i.test(fields.smbiosUuid)) {
    add("HASH_FIELD_INVALID", "SmbiosUuid", "all", `SmbiosUuid ${fields.smbiosUuid} is not unique`);
  }
  if (fields.productKeyId === undefined) absent("ProductKeyId");
  else if (!/^\d{1,20}$/.test(fields.productKeyId)) add("HASH_FIELD_INVALID", "ProductKeyId", "all", "ProductKeyId is not a number");
  if (fields.diskSerialNumber === undefined) absent("DiskSerialNumber");
  else if (fields.diskSerialNumber.serialNumber.trim() === "") {
    add("HASH_FIELD_INVALID", "DiskSerialNumber", "all", "the disk reports no serial number");
  }
  const adapters = fields.networkAdapters ?? [];
  if (adapters.length === 0) absent("MacAddress");
  else if (!adapters.some((a) => a.mac !== "00:00:00:00:00:00" && a.mac !== "ff:ff:ff:ff:ff:ff")) {
    add("HASH_FIELD_INVALID", "MacAddress", "all", "no adapter has a usable MAC address");
  }
  checkTpm(fields, undecodable, add);
  return findings;
}

function checkTpm(
  fields: HardwareHashFields,
  undecodable: ReadonlySet<string | undefined>,
  add: (code: HashFindingCode, field: string, scope: HashFindingScope, message: string) => void,
): void {
  const scope = "tpm-attestation";
  if (fields.tpmVersion === undefined) {
    if (undecodable.has("TpmVersion")) add("HASH_FIELD_INVALID", "TpmVersion", scope, "TpmVersion does not decode");
    else add("HASH_TPM_MISSING", "TpmVersion", scope, "no TPM: self-deploying and pre-provisioning need TPM 2.0");
    return;
  }
  if (!TPM_20.test(fields.tpmVersion)) {
    add("HASH_TPM_VERSION_UNSUPPORTED", "TpmVersion", scope, `not a TPM 2.0 ('${fields.tpmVersion}')`);
    return;
  }
  if (fields.ekPubHash === undefined || fields.ekPublic === undefined) {
    add("HASH_EK_MISSING", "EkPubHash", scope, "the TPM's endorsement key is not in the hash");
  } else if (ekPubHashOf(Buffer.from(fields.ekPublic, "hex")) !== fields.ekPubHash.toLowerCase()) {
    add("HASH_EK_HASH_MISMATCH", "EkPubHash", scope, "EkPubHash is not the SHA-256 of the EK public key in the hash");
  }
  const vendor = TPM_VENDOR.exec(fields.tpmVersion)?.[1]?.trim();
  if ((vendor !== undefined && VIRTUAL_TPM_VENDORS.has(vendor)) || fields.chassis?.virtualMachine === 1) {
    add("HASH_VIRTUAL_MACHINE", "TpmVersion", scope, "a virtual machine: TPM attestation refuses virtual TPMs");
  }
}

function isPlaceholder(value: string): boolean {
  const trimmed = value.trim();
  return trimmed === "" || PLACEHOLDERS.has(trimmed.toLowerCase());
}
