import { expect } from "chai";
import {
  describeHardwareHash,
  encodeHardwareHash,
  encodeHashRecords,
  hardwareHashReport,
  hashRecordsOf,
} from "../../protocol/index.js";
import { NOTEBOOK_FIELDS } from "./support/hardware-hash-fields.js";

describe("protocol/hardware-hash-report", () => {
  it("reports every record with its offset, name, length and value, and the findings", () => {
    const fields: Record<string, unknown> = { ...NOTEBOOK_FIELDS };
    delete fields.productKeyId;
    const hash = encodeHardwareHash(fields);
    const report = hardwareHashReport(hash.toString("base64"));
    expect(report.size).to.equal(hash.length);
    expect(report.checksumOffset).to.equal(hash.readUInt16LE(2));
    expect(report.records[0]).to.deep.include({ offset: 4, type: 1, name: "OsVersion" });
    const serial = report.records.find((r) => r.name === "SmbiosSystemSerialNumber")!;
    expect(serial.value).to.equal("TEST0001");
    expect(serial.length).to.equal(4 + "TEST0001".length + 1);
    expect(report.findings.map((f) => f.code)).to.deep.equal(["HASH_FIELD_MISSING"]);
    expect(JSON.parse(JSON.stringify(report))).to.deep.equal(report);
  });

  it("shows unknown records as hex and describes them in lines", () => {
    const records = [...hashRecordsOf(NOTEBOOK_FIELDS), { type: 99, value: Buffer.from("beef", "hex") }];
    const report = hardwareHashReport(encodeHashRecords(records));
    expect(report.records.at(-1)).to.deep.include({ type: 99, name: undefined, value: "beef" });
    const lines = describeHardwareHash(report);
    expect(lines).to.include('SmbiosSystemSerialNumber: "TEST0001"');
    expect(lines).to.include('unknown type 99: "beef"');
    expect(lines.at(-1)).to.equal("critical fields: all present");
  });
});
