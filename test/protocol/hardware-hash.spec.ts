import { expect } from "chai";
import { createHash } from "node:crypto";
import {
  CHECKSUM_RECORD_TYPE,
  HARDWARE_HASH_LIMITS,
  HASH_FIELDS,
  ProtocolError,
  decodeHardwareHash,
  encodeHardwareHash,
  encodeHashRecords,
  hashRecordsOf,
  type ErrorCode,
} from "../../protocol/index.js";
import { NOTEBOOK_FIELDS } from "./support/hardware-hash-fields.js";

function code(run: () => unknown): ErrorCode | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof ProtocolError) return error.code;
    throw error;
  }
  return undefined;
}

/** A hash assembled by hand (not by the encoder): "OA", offset, records, "CS" + SHA-256, padding. */
function handMade(records: readonly [number, string][], padding = 12): Buffer {
  const body = Buffer.concat(
    records.map(([type, hex]) => {
      const value = Buffer.from(hex, "hex");
      const header = Buffer.alloc(4);
      header.writeUInt16LE(type, 0);
      header.writeUInt16LE(value.length + 4, 2);
      return Buffer.concat([header, value]);
    }),
  );
  const head = Buffer.from([0x4f, 0x41, 0, 0]);
  head.writeUInt16LE(4 + body.length, 2);
  const covered = Buffer.concat([head, body]);
  const digest = createHash("sha256").update(covered).digest();
  return Buffer.concat([covered, Buffer.from([0x43, 0x53, 36, 0]), digest, Buffer.alloc(padding)]);
}

/** Rewrites the checksum after a deliberate change, so only the change itself is under test. */
function resealed(hash: Buffer): Buffer {
  const out = Buffer.from(hash);
  const offset = out.readUInt16LE(2);
  createHash("sha256").update(out.subarray(0, offset)).digest().copy(out, offset + 4);
  return out;
}

describe("protocol/hardware-hash", () => {
  it("round-trips every field through base64, with the records in the order real hashes carry them", () => {
    const hash = encodeHardwareHash(NOTEBOOK_FIELDS);
    const decoded = decodeHardwareHash(hash.toString("base64"));
    expect(decoded.fields).to.deep.equal(NOTEBOOK_FIELDS);
    expect(decoded.size).to.equal(hash.length);
    expect(decoded.records.every((r) => r.error === undefined && r.name !== undefined)).to.equal(true);
    const order = HASH_FIELDS.map((f) => f.type);
    const seen = decoded.records.map((r) => r.type).filter((t, i, all) => all.indexOf(t) === i);
    expect(seen).to.deep.equal(order);
    expect(encodeHashRecords(decoded.records).equals(hash)).to.equal(true);
  });

  it("lays out the container as the public samples do: magic, checksum offset, CS record with SHA-256, zero padding", () => {
    const hash = encodeHardwareHash(NOTEBOOK_FIELDS);
    expect(hash.subarray(0, 2).toString("latin1")).to.equal("OA");
    const offset = hash.readUInt16LE(2);
    expect(hash.readUInt16LE(offset)).to.equal(CHECKSUM_RECORD_TYPE);
    expect(hash.subarray(offset, offset + 2).toString("latin1")).to.equal("CS");
    expect(hash.readUInt16LE(offset + 2)).to.equal(36);
    expect(hash.subarray(offset + 4, offset + 36)).to.deep.equal(createHash("sha256").update(hash.subarray(0, offset)).digest());
    expect(hash.length).to.equal(offset + 36 + HARDWARE_HASH_LIMITS.trailingPadding);
    expect(hash.subarray(offset + 36).every((b) => b === 0)).to.equal(true);
  });

  it("reads records laid out by hand as the public samples lay them out", () => {
    const hash = handMade([
      [3, Buffer.from("GenuineIntel\0").toString("hex")],
      // interface index 9, MAC, u32 byte length of "PCI\0" in UTF-16LE, the name
      [8, "09000000" + "02005e100001" + "08000000" + Buffer.from("PCI\0", "utf16le").toString("hex")],
      // SMBIOS byte order: the first three UUID fields little-endian
      [12, "203c1f7f623ac743af48526beae5fa71"],
      // u32 0, u16 1, u32 32, SHA-256
      [11, "00000000" + "0100" + "20000000" + "ab".repeat(32)],
      [28, Buffer.from("S123|MODEL X|\0").toString("hex")],
      [9, "5801c100800738040000" + "0080"],
    ]);
    const decoded = decodeHardwareHash(hash);
    const fields = decoded.fields;
    expect(fields.processorManufacturer).to.equal("GenuineIntel");
    expect(fields.networkAdapters).to.deep.equal([{ index: 9, mac: "02:00:5e:10:00:01", bus: "PCI" }]);
    expect(fields.smbiosUuid).to.equal("7f1f3c20-3a62-43c7-af48-526beae5fa71");
    expect(fields.ekPubHash).to.equal("ab".repeat(32));
    expect(fields.diskSerialNumber).to.deep.equal({ serialNumber: "S123", model: "MODEL X", vendor: "" });
    expect(fields.display).to.deep.equal({ widthMm: 344, heightMm: 193, horizontalPixels: 1920, verticalPixels: 1080, outputTechnology: 0x80000000 });
    expect(encodeHashRecords(decoded.records).equals(hash)).to.equal(true);
    expect(hashRecordsOf(fields).map((r) => Buffer.from(r.value).toString("hex"))).to.include(
      "09000000" + "02005e100001" + "08000000" + Buffer.from("PCI\0", "utf16le").toString("hex"),
    );
  });

  it("detects any changed byte before the checksum record, and a changed checksum", () => {
    const hash = encodeHardwareHash(NOTEBOOK_FIELDS);
    const offset = hash.readUInt16LE(2);
    for (const at of [4, 5, 100, offset - 1, offset + 4, offset + 35]) {
      const tampered = Buffer.from(hash);
      tampered[at]! ^= 0x01;
      expect(code(() => decodeHardwareHash(tampered)), `byte ${at}`).to.equal("HARDWARE_HASH_CHECKSUM_MISMATCH");
    }
  });

  it("refuses every truncation of a hash as malformed", () => {
    const hash = encodeHardwareHash(NOTEBOOK_FIELDS);
    const offset = hash.readUInt16LE(2);
    for (let length = 0; length < offset + 36; length++) {
      expect(code(() => decodeHardwareHash(hash.subarray(0, length))), `${length} bytes`).to.equal("HARDWARE_HASH_MALFORMED");
    }
    // the padding is optional
    expect(decodeHardwareHash(hash.subarray(0, offset + 36)).fields).to.deep.equal(NOTEBOOK_FIELDS);
  });

  it("refuses oversized input, as bytes, as base64, and when encoding", () => {
    const big = Buffer.alloc(HARDWARE_HASH_LIMITS.maxBytes + 1);
    expect(code(() => decodeHardwareHash(big))).to.equal("HARDWARE_HASH_TOO_LARGE");
    expect(code(() => decodeHardwareHash(big.toString("base64")))).to.equal("HARDWARE_HASH_TOO_LARGE");
    const records = Array.from({ length: 100 }, () => ({ type: 300, value: Buffer.alloc(40) }));
    expect(code(() => encodeHashRecords(records))).to.equal("HARDWARE_HASH_TOO_LARGE");
  });

  it("refuses text that is not base64, a wrong magic, and bytes after the checksum record", () => {
    expect(code(() => decodeHardwareHash("T0H*"))).to.equal("HARDWARE_HASH_MALFORMED");
    const hash = encodeHardwareHash(NOTEBOOK_FIELDS);
    const wrongMagic = Buffer.from(hash);
    wrongMagic[0] = 0x58;
    expect(code(() => decodeHardwareHash(wrongMagic))).to.equal("HARDWARE_HASH_MALFORMED");
    const trailing = Buffer.from(hash);
    trailing[trailing.length - 1] = 1;
    expect(code(() => decodeHardwareHash(trailing))).to.equal("HARDWARE_HASH_MALFORMED");
  });

  it("refuses record lengths that do not land on the checksum record, even with a valid checksum", () => {
    const hash = encodeHardwareHash(NOTEBOOK_FIELDS);
    for (const length of [0, 3, 0xffff]) {
      const bad = Buffer.from(hash);
      bad.writeUInt16LE(length, 6);
      expect(code(() => decodeHardwareHash(resealed(bad))), `length ${length}`).to.equal("HARDWARE_HASH_MALFORMED");
    }
    const offsetPastEnd = Buffer.from(hash);
    offsetPastEnd.writeUInt16LE(hash.length, 2);
    expect(code(() => decodeHardwareHash(offsetPastEnd))).to.equal("HARDWARE_HASH_MALFORMED");
    const innerChecksum = handMade([[CHECKSUM_RECORD_TYPE, "00".repeat(32)]]);
    expect(code(() => decodeHardwareHash(innerChecksum))).to.equal("HARDWARE_HASH_MALFORMED");
  });

  it("keeps record types it does not know, in place, and writes them back unchanged", () => {
    const records = hashRecordsOf(NOTEBOOK_FIELDS);
    const withUnknown = [...records.slice(0, 3), { type: 29, value: Buffer.from("0102", "hex") }, ...records.slice(3), { type: 700, value: Buffer.alloc(0) }];
    const hash = encodeHashRecords(withUnknown);
    const decoded = decodeHardwareHash(hash);
    const unknown = decoded.records.filter((r) => r.name === undefined);
    expect(unknown.map((r) => [r.type, Buffer.from(r.value).toString("hex")])).to.deep.equal([
      [29, "0102"],
      [700, ""],
    ]);
    expect(decoded.records[3]!.type).to.equal(29);
    expect(decoded.fields).to.deep.equal(NOTEBOOK_FIELDS);
    expect(encodeHashRecords(decoded.records).equals(hash)).to.equal(true);
  });

  it("reports a known record whose value does not fit its layout on the record, without throwing", () => {
    const hash = handMade([
      [12, "0011"],
      [15, Buffer.from("Contoso").toString("hex")],
      [8, "0900000002005e100001ff000000"],
    ]);
    const decoded = decodeHardwareHash(hash);
    expect(decoded.records.map((r) => [r.name, r.error !== undefined])).to.deep.equal([
      ["SmbiosUuid", true],
      ["SmbiosSystemManufacturer", true],
      ["MacAddress", true],
    ]);
    expect(decoded.fields).to.deep.equal({});
  });

  it("refuses to write values the format cannot carry", () => {
    expect(() => encodeHardwareHash({ smbiosSystemSerialNumber: "S\u00e9rie" })).to.throw(RangeError);
    expect(() => encodeHardwareHash({ networkAdapters: [{ index: 1, mac: "02-00-5e-10-00-01", bus: "PCI" }] })).to.throw(RangeError);
    expect(() => encodeHardwareHash({ smbiosUuid: "not-a-uuid" })).to.throw(RangeError);
    expect(() => encodeHardwareHash({ diskSerialNumber: { serialNumber: "a|b", model: "m", vendor: "" } })).to.throw(RangeError);
    expect(() => encodeHardwareHash({ memory: { totalGb: -1, maxCapacityGb: 1, slots: 1, populatedSlots: 1, unidentified: 0 } })).to.throw(RangeError);
  });
});
