import { TPM_RC, TPM_RC_1, TPM_RC_H, TPM_RC_P, TPM_RC_S } from "./constants.js";

/** What a format-one response code refers to (Part 2 §6.6.3). */
export type TpmErrorSubject = "handle" | "parameter" | "session";

/**
 * A TPM failure as a value: the response code, what it refers to, and the field that caused it.
 * Handlers and the codec throw it; the dispatcher turns it into a response.
 */
export class TpmError extends Error {
  readonly rc: number;
  subject: TpmErrorSubject | undefined;
  index: number | undefined;
  field: string | undefined;

  constructor(rc: number, detail?: { subject?: TpmErrorSubject; index?: number; field?: string; message?: string }) {
    super(detail?.message ?? `${rcName(rc)}${detail?.field ? ` (${detail.field})` : ""}`);
    this.name = "TpmError";
    this.rc = rc;
    this.subject = detail?.subject;
    this.index = detail?.index;
    this.field = detail?.field;
  }

  /** The same error, now known to concern handle, parameter or session number `index` (1-based). */
  at(subject: TpmErrorSubject, index: number): this {
    if (this.subject === undefined) {
      this.subject = subject;
      this.index = index;
    }
    return this;
  }

  /** The response code as it goes on the wire, with the handle/parameter/session number where the format allows. */
  get responseCode(): number {
    return encodeResponseCode(this.rc, this.subject, this.index);
  }
}

/** Part 2 §6.6.3: format-one codes carry a handle (1–7), parameter (1–15) or session (1–7) number. */
export function encodeResponseCode(rc: number, subject?: TpmErrorSubject, index?: number): number {
  if (!isFormatOne(rc) || subject === undefined || index === undefined || index < 1) return rc;
  switch (subject) {
    case "parameter":
      return rc | TPM_RC_P | ((index & 0xf) * TPM_RC_1);
    case "handle":
      return rc | TPM_RC_H | ((index & 0x7) * TPM_RC_1);
    case "session":
      return rc | TPM_RC_S | ((index & 0x7) * TPM_RC_1);
  }
}

/** True for format-one response codes (bit 7 set). */
export function isFormatOne(rc: number): boolean {
  return (rc & 0x080) !== 0;
}

const RC_NAMES = new Map<number, string>(Object.entries(TPM_RC).map(([name, value]) => [value, `TPM_RC_${name}`]));

/** The base code of a response code with its handle/parameter/session number removed. */
export function baseResponseCode(rc: number): number {
  return isFormatOne(rc) ? (rc & 0x0bf) : rc;
}

/** A readable name, e.g. `TPM_RC_VALUE + parameter 2`. */
export function rcName(rc: number): string {
  if (isFormatOne(rc)) {
    const base = RC_NAMES.get(rc & 0x0bf) ?? `0x${(rc & 0x0bf).toString(16)}`;
    const n = (rc >> 8) & 0xf;
    if (rc & TPM_RC_P) return n ? `${base} + parameter ${n}` : base;
    if (n === 0) return base;
    return rc & TPM_RC_S ? `${base} + session ${n & 7}` : `${base} + handle ${n & 7}`;
  }
  return RC_NAMES.get(rc) ?? `0x${rc.toString(16).padStart(3, "0")}`;
}
