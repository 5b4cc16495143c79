import { findVendor, type VendorCode } from "../../certs/index.js";

/** A fault of a simulated vendor endpoint; see {@link parseVendorFaultSpec} for the grammar and effects. */
export type VendorFault =
  | { readonly kind: "outage" }
  | { readonly kind: "timeout" }
  | { readonly kind: "slow"; readonly ms: number }
  | { readonly kind: "error"; readonly rate: number }
  | { readonly kind: "revoked"; readonly serial: string }
  | { readonly kind: "expired-ca" };

/** A fault switched on for one vendor. */
export interface VendorFaultAssignment {
  readonly vendor: VendorCode;
  readonly fault: VendorFault;
}

/** The faults of every vendor that has some. */
export type VendorFaultSet = Readonly<Partial<Record<VendorCode, readonly VendorFault[]>>>;

/** Why a fault text does not parse; `code` is stable. */
export type VendorFaultErrorCode = "VENDOR_FAULT_SYNTAX" | "VENDOR_FAULT_UNKNOWN" | "VENDOR_FAULT_ARGUMENT" | "VENDOR_UNKNOWN";

/** A vendor fault that does not parse. */
export class VendorFaultError extends Error {
  readonly code: VendorFaultErrorCode;
  constructor(code: VendorFaultErrorCode, text: string, detail: string) {
    super(`bad vendor fault '${text.slice(0, 100)}': ${detail}`);
    this.name = "VendorFaultError";
    this.code = code;
  }
}

/** The fault names with their argument and effect, for help texts. */
export const VENDOR_FAULTS: readonly { readonly name: string; readonly argument?: string; readonly effect: string }[] = [
  { name: "outage", effect: "every request to the vendor's host answers 503 OVERLOADED with Retry-After" },
  { name: "timeout", effect: "requests are held unanswered until the client gives up or the server's bound passes, then dropped" },
  { name: "slow", argument: "MS", effect: "MS milliseconds of latency before each answer" },
  { name: "error", argument: "RATE", effect: "that share of requests (0.25 or 25%) answers 500 INTERNAL, from a seeded RNG" },
  { name: "revoked", argument: "SERIAL", effect: "the hex certificate serial is listed on the vendor's CRLs" },
  { name: "expired-ca", effect: "issuing CA certificates served at their AIA URLs are expired copies" },
];

const MAX_SLOW_MS = 600_000;
const SERIAL = /^[0-9a-f]{1,40}$/i;

function parseRate(text: string, argument: string): number {
  const percent = argument.endsWith("%");
  const digits = percent ? argument.slice(0, -1) : argument;
  if (!/^(\d{1,3}(\.\d{1,6})?|\.\d{1,6})$/.test(digits)) {
    throw new VendorFaultError("VENDOR_FAULT_ARGUMENT", text, "error needs a rate such as 0.25 or 25%");
  }
  const rate = percent ? Number(digits) / 100 : Number(digits);
  if (rate > 1) throw new VendorFaultError("VENDOR_FAULT_ARGUMENT", text, "a rate is at most 1 (100%)");
  return rate;
}

/**
 * Parses the right-hand side of a vendor fault: `NAME` or `NAME:ARGUMENT`, one of
 *
 * - `outage` — every request to the vendor's virtual host answers 503 (registry code OVERLOADED) with
 *   `Retry-After`: the service is up but refuses work, so a client's retry policy is exercised;
 * - `timeout` — requests are held without an answer until the client gives up, the server closes, or the
 *   server's request-time bound passes; then the connection is dropped without a response;
 * - `slow:MS` — MS milliseconds (1..600000) of latency before every answer (the other faults then apply);
 * - `error:RATE` — RATE (`0.25` or `25%`, 0..1) of requests answer 500 (INTERNAL); which ones comes from an
 *   RNG seeded per vendor, restarted whenever the vendor's faults are set, so runs are reproducible;
 * - `revoked:SERIAL` — the hex serial (1..40 digits) is listed on the vendor's CRLs, besides the serials in
 *   its revoked-serials.txt (issuing CAs' CRLs) — on root CRLs too, so an issuing CA can be revoked;
 * - `expired-ca` — the issuing CA certificates served at their AIA URLs are expired copies (same key and
 *   subject, notAfter one day before the service's clock).
 *
 * `apsim up --vendor-fault VENDOR=FAULT` and the fleet's `vendor:VENDOR=FAULT` carry this text.
 * @throws VendorFaultError VENDOR_FAULT_SYNTAX, VENDOR_FAULT_UNKNOWN or VENDOR_FAULT_ARGUMENT.
 */
export function parseVendorFaultSpec(text: string): VendorFault {
  const trimmed = text.trim();
  const colon = trimmed.indexOf(":");
  const name = colon < 0 ? trimmed : trimmed.slice(0, colon);
  const argument = colon < 0 ? undefined : trimmed.slice(colon + 1);
  const none = (fault: VendorFault): VendorFault => {
    if (argument !== undefined) throw new VendorFaultError("VENDOR_FAULT_SYNTAX", text, `${name} takes no argument`);
    return fault;
  };
  switch (name) {
    case "outage":
      return none({ kind: "outage" });
    case "timeout":
      return none({ kind: "timeout" });
    case "expired-ca":
      return none({ kind: "expired-ca" });
    case "slow": {
      if (argument === undefined || !/^\d{1,6}$/.test(argument) || Number(argument) < 1 || Number(argument) > MAX_SLOW_MS) {
        throw new VendorFaultError("VENDOR_FAULT_ARGUMENT", text, `slow needs milliseconds 1..${MAX_SLOW_MS}, e.g. slow:200`);
      }
      return { kind: "slow", ms: Number(argument) };
    }
    case "error":
      if (argument === undefined) throw new VendorFaultError("VENDOR_FAULT_ARGUMENT", text, "error needs a rate, e.g. error:0.25");
      return { kind: "error", rate: parseRate(text, argument) };
    case "revoked":
      if (argument === undefined || !SERIAL.test(argument)) {
        throw new VendorFaultError("VENDOR_FAULT_ARGUMENT", text, "revoked needs a hex certificate serial of 1 to 40 digits");
      }
      return { kind: "revoked", serial: argument.toLowerCase() };
    default:
      throw new VendorFaultError(
        "VENDOR_FAULT_UNKNOWN",
        text,
        `unknown fault (known: ${VENDOR_FAULTS.map((f) => (f.argument === undefined ? f.name : `${f.name}:${f.argument}`)).join(", ")})`,
      );
  }
}

/**
 * Parses `VENDOR=FAULT`: a vendor code (case-insensitive: IFX, STM, NTC, INTC, AMD, QCOM, IBM) and the fault
 * text {@link parseVendorFaultSpec} reads, e.g. `INTC=outage`, `amd=slow:200`, `QCOM=error:25%`.
 * @throws VendorFaultError VENDOR_UNKNOWN for an unknown vendor, or a code of {@link parseVendorFaultSpec}.
 */
export function parseVendorFault(text: string): VendorFaultAssignment {
  const equals = text.indexOf("=");
  if (equals < 0) throw new VendorFaultError("VENDOR_FAULT_SYNTAX", text, "expected VENDOR=FAULT, e.g. INTC=outage");
  const vendor = findVendor(text.slice(0, equals));
  if (vendor === undefined) throw new VendorFaultError("VENDOR_UNKNOWN", text, `unknown vendor '${text.slice(0, equals).trim()}'`);
  return { vendor: vendor.code, fault: parseVendorFaultSpec(text.slice(equals + 1)) };
}

/** Parses several `VENDOR=FAULT` texts into the faults of each vendor (combined as {@link combineVendorFaults} does). */
export function parseVendorFaultList(texts: readonly string[]): VendorFaultSet {
  const byVendor: Partial<Record<VendorCode, VendorFault[]>> = {};
  for (const text of texts) {
    const { vendor, fault } = parseVendorFault(text);
    byVendor[vendor] = [...(byVendor[vendor] ?? []), fault];
  }
  const combined: Partial<Record<VendorCode, readonly VendorFault[]>> = {};
  for (const [vendor, faults] of Object.entries(byVendor) as [VendorCode, VendorFault[]][]) combined[vendor] = combineVendorFaults(faults);
  return combined;
}

/**
 * One vendor's faults in effect: a later fault of a kind replaces an earlier one (`slow:100` then `slow:200` is
 * `slow:200`), except `revoked`, whose serials add up.
 */
export function combineVendorFaults(faults: readonly VendorFault[]): readonly VendorFault[] {
  const kept: VendorFault[] = [];
  for (const fault of faults) {
    const same = kept.findIndex((k) =>
      fault.kind === "revoked" ? k.kind === "revoked" && k.serial === fault.serial : k.kind === fault.kind,
    );
    if (same >= 0) kept.splice(same, 1);
    kept.push(fault);
  }
  return kept;
}

/** The canonical text of a fault (what {@link parseVendorFaultSpec} reads back). */
export function formatVendorFault(fault: VendorFault): string {
  switch (fault.kind) {
    case "slow":
      return `slow:${fault.ms}`;
    case "error":
      return `error:${fault.rate}`;
    case "revoked":
      return `revoked:${fault.serial}`;
    default:
      return fault.kind;
  }
}
