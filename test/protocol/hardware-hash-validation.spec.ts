import { expect } from "chai";
import {
  decodeHardwareHash,
  encodeHardwareHash,
  encodeHashRecords,
  hashRecordsOf,
  validateHardwareHash,
  type HardwareHashFields,
  type HashFinding,
} from "../../protocol/index.js";
import { NOTEBOOK_FIELDS } from "./support/hardware-hash-fields.js";

function findings(fields: HardwareHashFields): HashFinding[] {
  return validateHardwareHash(decodeHardwareHash(encodeHardwareHash(fields)));
}

function without(...keys: (keyof HardwareHashFields)[]): HardwareHashFields {
  const copy: Record<string, unknown> = { ...NOTEBOOK_FIELDS };
  for (const key of keys) delete copy[key];
  return copy;
}

const summary = (list: HashFinding[]) => list.map((f) => `${f.code} ${f.field} ${f.scope}`);

describe("protocol/hardware-hash-validation", () => {
  it("finds nothing to report on a complete hash", () => {
    expect(findings(NOTEBOOK_FIELDS)).to.deep.equal([]);
  });

  it("flags each missing identity field as critical for every deployment", () => {
    const cases: [keyof HardwareHashFields, string][] = [
      ["smbiosSystemManufacturer", "SmbiosSystemManufacturer"],
      ["smbiosSystemProductName", "SmbiosSystemProductName"],
      ["smbiosSystemSerialNumber", "SmbiosSystemSerialNumber"],
      ["smbiosSkuNumber", "SmbiosSkuNumber"],
      ["smbiosSystemFamily", "SmbiosSystemFamily"],
      ["smbiosUuid", "SmbiosUuid"],
      ["productKeyId", "ProductKeyId"],
      ["diskSerialNumber", "DiskSerialNumber"],
      ["networkAdapters", "MacAddress"],
    ];
    for (const [key, name] of cases) {
      expect(summary(findings(without(key))), name).to.deep.equal([`HASH_FIELD_MISSING ${name} all`]);
    }
  });

  it("flags firmware placeholders, non-unique UUIDs, zero MACs and an empty disk serial as invalid", () => {
    expect(summary(findings({ ...NOTEBOOK_FIELDS, smbiosSystemSerialNumber: "To be filled by O.E.M." }))).to.deep.equal([
      "HASH_FIELD_INVALID SmbiosSystemSerialNumber all",
    ]);
    expect(summary(findings({ ...NOTEBOOK_FIELDS, smbiosSkuNumber: "None", smbiosSystemFamily: " " }))).to.deep.equal([
      "HASH_FIELD_INVALID SmbiosSkuNumber all",
      "HASH_FIELD_INVALID SmbiosSystemFamily all",
    ]);
    expect(summary(findings({ ...NOTEBOOK_FIELDS, smbiosUuid: "ffffffff-ffff-ffff-ffff-ffffffffffff" }))).to.deep.equal([
      "HASH_FIELD_INVALID SmbiosUuid all",
    ]);
    expect(summary(findings({ ...NOTEBOOK_FIELDS, networkAdapters: [{ index: 1, mac: "00:00:00:00:00:00", bus: "PCI" }] }))).to.deep.equal([
      "HASH_FIELD_INVALID MacAddress all",
    ]);
    expect(
      summary(findings({ ...NOTEBOOK_FIELDS, diskSerialNumber: { serialNumber: "", model: "Virtual Disk    ", vendor: "Msft    " } })),
    ).to.deep.equal(["HASH_FIELD_INVALID DiskSerialNumber all"]);
  });

  it("flags a missing TPM as critical only where the TPM is attested (self-deploying, pre-provisioning)", () => {
    expect(summary(findings(without("tpmVersion", "ekPublic", "ekPubHash")))).to.deep.equal([
      "HASH_TPM_MISSING TpmVersion tpm-attestation",
    ]);
  });

  it("flags a TPM 1.2, a missing EK, an EkPubHash of another key and a virtual TPM", () => {
    expect(summary(findings({ ...without("ekPublic", "ekPubHash"), tpmVersion: "TPM-Version:1.2 -Level:2-Revision:1.16-VendorID:'IFX '" }))).to.deep.equal([
      "HASH_TPM_VERSION_UNSUPPORTED TpmVersion tpm-attestation",
    ]);
    expect(summary(findings(without("ekPublic", "ekPubHash")))).to.deep.equal(["HASH_EK_MISSING EkPubHash tpm-attestation"]);
    expect(summary(findings({ ...NOTEBOOK_FIELDS, ekPubHash: "00".repeat(32) }))).to.deep.equal([
      "HASH_EK_HASH_MISMATCH EkPubHash tpm-attestation",
    ]);
    const hyperV = { ...NOTEBOOK_FIELDS, tpmVersion: "TPM-Version:2.0 -Level:0-Revision:1.16-VendorID:'MSFT'-Firmware:538247443.1394722" };
    expect(summary(findings(hyperV))).to.deep.equal(["HASH_VIRTUAL_MACHINE TpmVersion tpm-attestation"]);
    const vmChassis = { ...NOTEBOOK_FIELDS, chassis: { chassisType: 3, platformRole: 1, virtualMachine: 1, unidentified: 0 } };
    expect(summary(findings(vmChassis))).to.deep.equal(["HASH_VIRTUAL_MACHINE TpmVersion tpm-attestation"]);
  });

  it("calls a critical field that is present but does not decode invalid, not missing", () => {
    const records = hashRecordsOf(NOTEBOOK_FIELDS).map((r) => (r.type === 12 ? { type: 12, value: Buffer.alloc(3) } : r));
    const result = validateHardwareHash(decodeHardwareHash(encodeHashRecords(records)));
    expect(summary(result)).to.deep.equal(["HASH_FIELD_INVALID SmbiosUuid all"]);
  });
});
