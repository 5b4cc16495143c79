/**
 * Fault switches for security testers: TPMs that are broken, vulnerable or not what they claim, made on purpose
 * at manufacture (`apsim tpm manufacture --fault F`, repeatable) and kept in the TPM's state. Each is in FAULTS
 * with what it does; the grammar is `name` or `name:argument`.
 */

export type TpmFault =
  | { kind: "roca-ek" }
  | { kind: "expired-ek-cert" }
  | { kind: "not-yet-valid-ek-cert" }
  | { kind: "revoked-ek-cert" }
  | { kind: "no-ek-cert" }
  | { kind: "wrong-vendor-san" }
  | { kind: "foreign-ek-cert" }
  | { kind: "tpm12" }
  | { kind: "virtual" }
  | { kind: "failure-mode"; command: number }
  | { kind: "slow"; ms: number };

export type TpmFaultKind = TpmFault["kind"];

/** The documented faults: name, argument, effect. */
export const FAULTS: readonly { name: string; argument?: string; effect: string }[] = [
  { name: "roca-ek", effect: "RSA keys the TPM derives (the RSA EK included) have ROCA-shaped primes (CVE-2017-15361)" },
  { name: "expired-ek-cert", effect: "the EK certificates expired a year before manufacture" },
  { name: "not-yet-valid-ek-cert", effect: "the EK certificates become valid ten years after manufacture" },
  { name: "revoked-ek-cert", effect: "the EK certificates' serials are on the vendor's revocation list" },
  { name: "no-ek-cert", effect: "no EK certificate in NV (a discrete TPM that lost it)" },
  { name: "wrong-vendor-san", effect: "the EK certificates name another manufacturer in their SAN than the TPM reports" },
  { name: "foreign-ek-cert", effect: "the EK certificates are genuine, but for another TPM's EK" },
  { name: "tpm12", effect: "answers every command as a TPM 1.2 part does to TPM 2.0 commands (TPM_BADTAG)" },
  { name: "virtual", effect: "reports the identity of a hypervisor's virtual TPM (manufacturer MSFT), no EK certificate" },
  { name: "failure-mode", argument: "N", effect: "enters failure mode at its Nth command after power-on (default 1)" },
  { name: "slow", argument: "MS", effect: "adds MS milliseconds before each command's response" },
];

/** A fault that does not parse; `code` is stable. */
export class TpmFaultError extends Error {
  readonly code = "TPM_FAULT_UNKNOWN";
  constructor(text: string, detail: string) {
    super(`bad TPM fault '${text}': ${detail} (known: ${FAULTS.map((f) => (f.argument ? `${f.name}:${f.argument}` : f.name)).join(", ")})`);
    this.name = "TpmFaultError";
  }
}

function positiveInt(text: string, arg: string, max: number): number {
  if (!/^\d{1,9}$/.test(arg) || Number(arg) < 1 || Number(arg) > max) throw new TpmFaultError(text, `expected an integer 1..${max}`);
  return Number(arg);
}

/** Parses `name` or `name:argument`. */
export function parseTpmFault(text: string): TpmFault {
  const [name, arg, extra] = text.trim().split(":");
  if (extra !== undefined) throw new TpmFaultError(text, "too many ':'");
  switch (name) {
    case "failure-mode":
      return { kind: "failure-mode", command: arg === undefined ? 1 : positiveInt(text, arg, 1_000_000_000) };
    case "slow":
      if (arg === undefined) throw new TpmFaultError(text, "slow needs milliseconds, e.g. slow:50");
      return { kind: "slow", ms: positiveInt(text, arg, 600_000) };
    case "roca-ek":
    case "expired-ek-cert":
    case "not-yet-valid-ek-cert":
    case "revoked-ek-cert":
    case "no-ek-cert":
    case "wrong-vendor-san":
    case "foreign-ek-cert":
    case "tpm12":
    case "virtual":
      if (arg !== undefined) throw new TpmFaultError(text, `${name} takes no argument`);
      return { kind: name };
    default:
      throw new TpmFaultError(text, "unknown fault");
  }
}

/** The canonical text of a fault (what the state file keeps). */
export function formatTpmFault(f: TpmFault): string {
  if (f.kind === "failure-mode") return `failure-mode:${f.command}`;
  if (f.kind === "slow") return `slow:${f.ms}`;
  return f.kind;
}

export function hasFault<K extends TpmFaultKind>(faults: readonly TpmFault[], kind: K): Extract<TpmFault, { kind: K }> | undefined {
  return faults.find((f) => f.kind === kind) as Extract<TpmFault, { kind: K }> | undefined;
}
