/**
 * The Autopilot device CSV that OEMs, resellers and IT upload to register devices (memdocs
 * autopilot/add-devices.md): header exactly `Device Serial Number,Windows Product ID,Hardware Hash,Group Tag,Assigned User`
 * (case-sensitive; the last two columns may be left out), at most 500 devices per file, no quotes, no
 * extra columns, ANSI rather than Unicode. A bad row is reported and the good rows are kept, as the
 * import page does.
 */
import type { ErrorCode } from "./errors.js";

/** The header line, exactly as Microsoft's import page requires it. */
export const AUTOPILOT_CSV_HEADER = "Device Serial Number,Windows Product ID,Hardware Hash,Group Tag,Assigned User";

/** Limits of one CSV file (memdocs autopilot/add-devices.md; field lengths are bounds of our own). */
export const AUTOPILOT_CSV_LIMITS = Object.freeze({
  maxRows: 500,
  maxSerialNumberLength: 128,
  maxProductIdLength: 64,
  /** Real hashes are about 4 KiB of base64; this bounds a row without refusing any real one. */
  maxHardwareHashLength: 16 * 1024,
  maxGroupTagLength: 128,
  maxUserPrincipalNameLength: 113,
});

const COLUMNS = AUTOPILOT_CSV_HEADER.split(",");
/** The three leading columns are required; Group Tag and Assigned User are optional columns. */
const MIN_COLUMNS = 3;

/** One device as the CSV describes it. */
export interface AutopilotDeviceRecord {
  readonly serialNumber: string;
  /** Windows Product ID (may be empty). */
  readonly productId: string;
  /** The hardware hash, base64 as the file carries it. */
  readonly hardwareHash: string;
  /** Group tag, which becomes the device's `[OrderID]:` physical id (may be empty). */
  readonly groupTag: string;
  /** UPN of the user assigned to the device (may be empty). */
  readonly assignedUser: string;
}

/** A device row accepted from a file, with its line number (the header is line 1). */
export interface AutopilotCsvRow extends AutopilotDeviceRecord {
  readonly row: number;
}

/** Why a row, or the whole file (row 0), was refused. */
export interface AutopilotCsvError {
  /** Line number in the file (header = 1); 0 for a problem of the whole file. */
  readonly row: number;
  readonly code: ErrorCode;
  readonly message: string;
}

/** Result of reading a file: the good rows and one error per refused row. */
export interface AutopilotCsvResult {
  readonly rows: readonly AutopilotCsvRow[];
  readonly errors: readonly AutopilotCsvError[];
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const USER_PRINCIPAL_NAME = /^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$/;
// Printable ASCII plus tab: what the import page calls ANSI and what every real export contains.
const ANSI_LINE = /^[\x20-\x7e\t]*$/;

/**
 * Reads an Autopilot CSV. A Buffer is read byte by byte (a byte above 0x7F, or a UTF-16/UTF-8 byte-order
 * mark, is not ANSI); a string is checked the same way by code unit.
 */
export function parseAutopilotCsv(text: string | Buffer): AutopilotCsvResult {
  const content = typeof text === "string" ? text : text.toString("latin1");
  if (hasUnicodeMark(content)) return fileError("CSV_NOT_ANSI", "the file is Unicode (byte-order mark); save it as ANSI");
  const lines = content.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  if (lines.length === 0) return { rows: [], errors: [{ row: 1, code: "CSV_HEADER_INVALID", message: "the file is empty" }] };
  const header = lines[0]!;
  const columns = header.split(",");
  if (columns.length < MIN_COLUMNS || columns.length > COLUMNS.length || columns.some((name, i) => name !== COLUMNS[i])) {
    return {
      rows: [],
      errors: [{ row: 1, code: "CSV_HEADER_INVALID", message: `the header must be exactly "${AUTOPILOT_CSV_HEADER}"` }],
    };
  }
  const dataLines = lines.slice(1).map((line, i) => ({ line, row: i + 2 })).filter(({ line }) => line !== "");
  if (dataLines.length > AUTOPILOT_CSV_LIMITS.maxRows) {
    return fileError("CSV_TOO_MANY_ROWS", `${dataLines.length} devices; a file holds at most ${AUTOPILOT_CSV_LIMITS.maxRows}`);
  }

  const rows: AutopilotCsvRow[] = [];
  const errors: AutopilotCsvError[] = [];
  const seenSerials = new Map<string, number>();
  const seenHashes = new Map<string, number>();
  for (const { line, row } of dataLines) {
    const parsed = parseRow(line, columns.length);
    if ("code" in parsed) {
      errors.push({ row, ...parsed });
      continue;
    }
    const serialKey = parsed.serialNumber.toUpperCase();
    const firstRow = seenSerials.get(serialKey) ?? seenHashes.get(parsed.hardwareHash);
    if (firstRow !== undefined) {
      errors.push({ row, code: "CSV_DUPLICATE_DEVICE", message: `the same device as row ${firstRow} (serial number or hardware hash)` });
      continue;
    }
    seenSerials.set(serialKey, row);
    seenHashes.set(parsed.hardwareHash, row);
    rows.push({ row, ...parsed });
  }
  return { rows, errors };
}

/** Writes devices as an Autopilot CSV (CRLF lines, the full header); throws on a value the format cannot carry. */
export function formatAutopilotCsv(records: readonly AutopilotDeviceRecord[]): string {
  if (records.length > AUTOPILOT_CSV_LIMITS.maxRows) {
    throw new RangeError(`an Autopilot CSV holds at most ${AUTOPILOT_CSV_LIMITS.maxRows} devices, not ${records.length}`);
  }
  const lines = records.map((record, i) => {
    const fields = [record.serialNumber, record.productId, record.hardwareHash, record.groupTag, record.assignedUser];
    const line = fields.join(",");
    const problem = parseRow(line, COLUMNS.length);
    if ("code" in problem) throw new RangeError(`device ${i + 1} cannot be written: ${problem.message}`);
    return line;
  });
  return [AUTOPILOT_CSV_HEADER, ...lines].join("\r\n") + "\r\n";
}

function parseRow(line: string, columnCount: number): AutopilotDeviceRecord | Omit<AutopilotCsvError, "row"> {
  if (!ANSI_LINE.test(line)) {
    return { code: "CSV_NOT_ANSI", message: "the row holds characters outside ANSI/ASCII (save the file as ANSI)" };
  }
  if (line.includes('"')) return { code: "CSV_ROW_INVALID", message: "quotes are not allowed" };
  const fields = line.split(",").map((field) => field.trim());
  if (fields.length !== columnCount) {
    return { code: "CSV_ROW_INVALID", message: `${fields.length} columns where the header has ${columnCount}` };
  }
  const [serialNumber = "", productId = "", hardwareHash = "", groupTag = "", assignedUser = ""] = fields;
  const limits = AUTOPILOT_CSV_LIMITS;
  if (serialNumber === "") return { code: "CSV_ROW_INVALID", message: "Device Serial Number is empty" };
  if (serialNumber.length > limits.maxSerialNumberLength) return tooLong("Device Serial Number", limits.maxSerialNumberLength);
  if (productId.length > limits.maxProductIdLength) return tooLong("Windows Product ID", limits.maxProductIdLength);
  if (groupTag.length > limits.maxGroupTagLength) return tooLong("Group Tag", limits.maxGroupTagLength);
  if (hardwareHash === "") return { code: "CSV_HASH_INVALID", message: "Hardware Hash is empty" };
  if (hardwareHash.length > limits.maxHardwareHashLength) {
    return { code: "CSV_HASH_INVALID", message: `Hardware Hash is longer than ${limits.maxHardwareHashLength} characters` };
  }
  if (!BASE64.test(hardwareHash)) return { code: "CSV_HASH_INVALID", message: "Hardware Hash is not base64" };
  if (assignedUser !== "" && (assignedUser.length > limits.maxUserPrincipalNameLength || !USER_PRINCIPAL_NAME.test(assignedUser))) {
    return { code: "CSV_ROW_INVALID", message: "Assigned User is not a user principal name (user@domain)" };
  }
  return { serialNumber, productId, hardwareHash, groupTag, assignedUser };
}

function tooLong(column: string, max: number): Omit<AutopilotCsvError, "row"> {
  return { code: "CSV_ROW_INVALID", message: `${column} is longer than ${max} characters` };
}

function hasUnicodeMark(content: string): boolean {
  // As latin1: UTF-16 LE/BE marks are FF FE / FE FF, UTF-8's is EF BB BF; as a string: U+FEFF.
  return content.startsWith("\xff\xfe") || content.startsWith("\xfe\xff") || content.startsWith("\xef\xbb\xbf") || content.startsWith("\ufeff");
}

function fileError(code: ErrorCode, message: string): AutopilotCsvResult {
  return { rows: [], errors: [{ row: 0, code, message }] };
}
