/**
 * What an attestation attempt reports: the verdict with the code and HRESULT Windows would show, the AIK
 * certificate, and every step with its duration — the shape `apsim device attest --json` prints.
 */
import { errorDefinition, formatHresult, type ErrorCode } from "../../protocol/index.js";
import type { TPMT_PUBLIC } from "../../tpm2/index.js";

/** The steps of the flow, in the order Windows runs them. */
export type StepName =
  | "tpmProperties"
  | "endorsementKey"
  | "ekCertificate"
  | "attestationKey"
  | "challenge"
  | "activateCredential"
  | "quote"
  | "proof"
  | "aikCertificate";

/** ok; failed (ended the attempt); skipped (not done, the flow went on without it — `code` says why). */
export type StepStatus = "ok" | "failed" | "skipped";

export interface AttestationStep {
  readonly name: StepName;
  readonly status: StepStatus;
  /** "OK", a registry code (protocol/errors.ts) or a code a service sent. */
  readonly code: string;
  /** `0x…` HRESULT; "0x00000000" (S_OK) when the step succeeded. */
  readonly hresult: string;
  readonly ms: number;
}

export interface AttestationOutcome {
  readonly ok: boolean;
  readonly code: string;
  readonly hresult: string;
  /** PEM of the AIK certificate; null unless attested. */
  readonly akCertificate: string | null;
  readonly steps: readonly AttestationStep[];
  /** With `keepAk`, once attested: the AK, left loaded in the TPM for the join (the caller flushes it). */
  readonly attestationKey?: KeptAttestationKey;
  /** With `keepAk`, once attested: the attestation token the join presents. */
  readonly token?: string;
}

/** An AK left loaded after attestation. */
export interface KeptAttestationKey {
  readonly handle: number;
  readonly name: Uint8Array;
  readonly public: TPMT_PUBLIC;
}

/** A step as it completes, with a human-readable detail that stays out of the outcome document. */
export interface StepEvent extends AttestationStep {
  readonly detail?: string;
}

export const OK_CODE = "OK";
export const S_OK = formatHresult(0);

/**
 * Why a step failed, as a value: the code and HRESULT the device reports, whether the same request may
 * succeed later, and whether the service could not be reached at all (connection refused, timeout).
 */
export class AttestationFailure extends Error {
  readonly hresult: number | undefined;

  constructor(
    readonly code: string,
    detail: string,
    readonly options: {
      readonly retryable?: boolean;
      readonly unreachable?: boolean;
      /** From a Retry-After header. */
      readonly retryAfterMs?: number;
      /** Overrides the registry's HRESULT (a code a service sent with its own). */
      readonly hresult?: number;
      readonly cause?: unknown;
    } = {},
  ) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "AttestationFailure";
    this.hresult = options.hresult ?? errorDefinition(code)?.hresult;
  }

  /** A failure with a registry code and its registry properties. */
  static of(code: ErrorCode, detail: string, cause?: unknown): AttestationFailure {
    return new AttestationFailure(code, detail, { retryable: errorDefinition(code)?.retryable ?? false, ...(cause === undefined ? {} : { cause }) });
  }

  get retryable(): boolean {
    return this.options.retryable ?? false;
  }

  get unreachable(): boolean {
    return this.options.unreachable ?? false;
  }

  /** E_FAIL stands in for a code that carries no HRESULT (one a newer service sent without its own). */
  get hresultText(): string {
    return this.hresult === undefined ? formatHresult(0x80004005) : formatHresult(this.hresult);
  }
}
