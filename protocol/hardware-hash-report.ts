/** A decoded hardware hash as a report: one JSON document, or lines for a person (`apsim hash decode`). */
import { decodeHardwareHash, type DecodedHardwareHash } from "./hardware-hash.js";
import { validateHardwareHash, type HashFinding } from "./hardware-hash-validation.js";

/** One record in a report. */
export interface HashReportRecord {
  readonly offset: number;
  readonly type: number;
  /** Undefined for a record type this version does not know. */
  readonly name: string | undefined;
  readonly length: number;
  /** The decoded value, or the raw value in hex when the type is unknown or the value does not fit. */
  readonly value: unknown;
  readonly error?: string;
}

/** What `apsim hash decode --json` prints. */
export interface HardwareHashReport {
  readonly size: number;
  readonly checksumOffset: number;
  readonly checksum: string;
  readonly records: readonly HashReportRecord[];
  readonly findings: readonly HashFinding[];
}

/** Decodes and validates a hash (base64 or bytes); structural errors are thrown as ProtocolError. */
export function hardwareHashReport(input: string | Uint8Array | DecodedHardwareHash): HardwareHashReport {
  const hash = typeof input === "string" || input instanceof Uint8Array ? decodeHardwareHash(input) : input;
  return {
    size: hash.size,
    checksumOffset: hash.checksumOffset,
    checksum: hash.checksum,
    records: hash.records.map((r) => ({
      offset: r.offset,
      type: r.type,
      name: r.name,
      length: r.value.length + 4,
      value: r.decoded ?? Buffer.from(r.value).toString("hex"),
      ...(r.error === undefined ? {} : { error: r.error }),
    })),
    findings: validateHardwareHash(hash),
  };
}

function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "object" && value !== null) {
    return Object.entries(value)
      .map(([key, v]) => `${key}=${typeof v === "string" ? JSON.stringify(v) : String(v)}`)
      .join(" ");
  }
  return String(value);
}

/** The report as lines: one per record, then the checksum and the findings. */
export function describeHardwareHash(report: HardwareHashReport): string[] {
  const lines = report.records.map((r) => {
    const name = r.name ?? `unknown type ${r.type}`;
    const value = r.error === undefined ? show(r.value) : `(does not decode: ${r.error}) ${String(r.value)}`;
    return `${name}: ${value}`;
  });
  lines.push(`checksum: sha256 ${report.checksum} at byte ${report.checksumOffset} (valid); ${report.size} bytes`);
  if (report.findings.length === 0) lines.push("critical fields: all present");
  for (const f of report.findings) lines.push(`${f.scope === "all" ? "critical" : "critical for TPM attestation"}: ${f.code} ${f.field}: ${f.message}`);
  return lines;
}
