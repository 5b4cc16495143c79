import type { Transport } from "../../tpm2/index.js";

/** Why a TPM could not be talked to; stable codes for callers (never match on the message). */
export type TpmConnectionFailure =
  /** Nothing answers at the location: no state, no device file, connection refused. */
  | "TPM_UNREACHABLE"
  /** The part answered as a TPM 1.2 does to TPM 2.0 commands (tag TPM_TAG_RSP_COMMAND). */
  | "NOT_TPM2"
  /** The connection broke, timed out or the peer sent a malformed frame. */
  | "TPM_IO";

/** A failure below the TPM command layer: the bytes did not make it there and back. */
export class TpmConnectionError extends Error {
  constructor(
    readonly code: TpmConnectionFailure,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "TpmConnectionError";
  }
}

/** A transport with a lifetime: what every TPM location opens to. */
export interface TpmConnection {
  readonly transport: Transport;
  /** Releases sockets or files (and persists an in-process TPM); safe to call twice. */
  close(): Promise<void>;
}
