import { expect } from "chai";
import { randomBytes } from "node:crypto";
import {
  AUTOPILOT_CSV_HEADER,
  formatAutopilotCsv,
  parseAutopilotCsv,
  type AutopilotDeviceRecord,
} from "../../protocol/index.js";

function device(n: number, overrides: Partial<AutopilotDeviceRecord> = {}): AutopilotDeviceRecord {
  return {
    serialNumber: `SN${String(n).padStart(6, "0")}`,
    productId: "",
    hardwareHash: Buffer.from(`hash-${n}-${"x".repeat(n % 7)}`).toString("base64"),
    groupTag: "",
    assignedUser: "",
    ...overrides,
  };
}

describe("protocol/autopilot-csv", () => {
  it("round-trips devices through the file format, CRLF lines and the exact header", () => {
    const devices = [device(1, { groupTag: "Sales", assignedUser: "ada@contoso.example", productId: "00330-80000-00000-AA123" }), device(2)];
    const text = formatAutopilotCsv(devices);
    expect(text.split("\r\n")[0]).to.equal(AUTOPILOT_CSV_HEADER);
    const { rows, errors } = parseAutopilotCsv(Buffer.from(text, "latin1"));
    expect(errors).to.deep.equal([]);
    expect(rows).to.deep.equal(devices.map((d, i) => ({ row: i + 2, ...d })));
  });

  it("accepts the three-column form without Group Tag and Assigned User, and LF line ends", () => {
    const hash = randomBytes(48).toString("base64");
    const { rows, errors } = parseAutopilotCsv(`Device Serial Number,Windows Product ID,Hardware Hash\nABC123,,${hash}\n`);
    expect(errors).to.deep.equal([]);
    expect(rows).to.deep.equal([{ row: 2, serialNumber: "ABC123", productId: "", hardwareHash: hash, groupTag: "", assignedUser: "" }]);
  });

  it("refuses the whole file when the header differs in case, order or columns", () => {
    for (const header of [
      AUTOPILOT_CSV_HEADER.toLowerCase(),
      "Windows Product ID,Device Serial Number,Hardware Hash,Group Tag,Assigned User",
      AUTOPILOT_CSV_HEADER + ",Extra",
      "Device Serial Number,Windows Product ID",
      `"Device Serial Number","Windows Product ID","Hardware Hash"`,
    ]) {
      const result = parseAutopilotCsv(`${header}\r\nSN1,,QUJD,,\r\n`);
      expect(result.rows, header).to.deep.equal([]);
      expect(result.errors.map((e) => [e.row, e.code]), header).to.deep.equal([[1, "CSV_HEADER_INVALID"]]);
    }
    expect(parseAutopilotCsv("").errors[0]!.code).to.equal("CSV_HEADER_INVALID");
  });

  it("refuses a file of more than 500 devices and takes exactly 500", () => {
    const body = (n: number) => Array.from({ length: n }, (_, i) => `SN${i},,${Buffer.from(`h${i}`).toString("base64")},,`).join("\r\n");
    const atLimit = parseAutopilotCsv(`${AUTOPILOT_CSV_HEADER}\r\n${body(500)}\r\n`);
    expect(atLimit.rows).to.have.length(500);
    expect(atLimit.errors).to.deep.equal([]);
    const over = parseAutopilotCsv(`${AUTOPILOT_CSV_HEADER}\r\n${body(501)}\r\n`);
    expect(over.rows).to.deep.equal([]);
    expect(over.errors.map((e) => [e.row, e.code])).to.deep.equal([[0, "CSV_TOO_MANY_ROWS"]]);
    expect(() => formatAutopilotCsv(Array.from({ length: 501 }, (_, i) => device(i)))).to.throw(RangeError);
  });

  it("refuses Unicode files by their byte-order mark", () => {
    const text = `${AUTOPILOT_CSV_HEADER}\r\nSN1,,QUJD,,\r\n`;
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]);
    const utf8 = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]);
    for (const file of [utf16, utf8, "\ufeff" + text]) {
      const result = parseAutopilotCsv(file);
      expect(result.rows).to.deep.equal([]);
      expect(result.errors.map((e) => e.code)).to.deep.equal(["CSV_NOT_ANSI"]);
    }
  });

  it("reports each bad row with its line number and imports the good ones", () => {
    const good = device(7);
    const lines = [
      AUTOPILOT_CSV_HEADER,
      `${good.serialNumber},,${good.hardwareHash},,`, // 2: good
      "SNé1,,QUJD,,", // 3: non-ASCII
      `"SN2",,QUJD,,`, // 4: quotes
      "SN3,,QUJD,,,extra", // 5: extra column
      ",,QUJD,,", // 6: no serial
      "SN4,,not base64!,,", // 7: hash
      "SN5,,QUJ,,", // 8: hash padding
      "SN6,,,,", // 9: empty hash
      "SN7,,QUJD,,not-a-upn", // 10: user
      `${good.serialNumber.toLowerCase()},,QUJE,,`, // 11: duplicate serial (case-insensitive)
      `SN8,,${good.hardwareHash},,`, // 12: duplicate hash
      "", // 13: blank lines are skipped
      "SN9,,QUJF,Tag-9,bob@contoso.example", // 14: good
    ];
    const { rows, errors } = parseAutopilotCsv(Buffer.from(lines.join("\r\n"), "utf8"));
    expect(rows.map((r) => [r.row, r.serialNumber])).to.deep.equal([[2, good.serialNumber], [14, "SN9"]]);
    expect(rows[1]).to.include({ groupTag: "Tag-9", assignedUser: "bob@contoso.example" });
    expect(errors.map((e) => [e.row, e.code])).to.deep.equal([
      [3, "CSV_NOT_ANSI"],
      [4, "CSV_ROW_INVALID"],
      [5, "CSV_ROW_INVALID"],
      [6, "CSV_ROW_INVALID"],
      [7, "CSV_HASH_INVALID"],
      [8, "CSV_HASH_INVALID"],
      [9, "CSV_HASH_INVALID"],
      [10, "CSV_ROW_INVALID"],
      [11, "CSV_DUPLICATE_DEVICE"],
      [12, "CSV_DUPLICATE_DEVICE"],
    ]);
    expect(errors.find((e) => e.row === 11)!.message).to.contain("row 2");
  });

  it("will not write a value the format cannot carry", () => {
    expect(() => formatAutopilotCsv([device(1, { groupTag: "a,b" })])).to.throw(RangeError, /device 1/);
    expect(() => formatAutopilotCsv([device(1, { serialNumber: "Zoë" })])).to.throw(RangeError);
    expect(() => formatAutopilotCsv([device(1, { hardwareHash: "" })])).to.throw(RangeError);
  });
});
