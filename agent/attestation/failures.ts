/** How errors below the flow become the codes a device reports (registry codes, never message text). */
import { ProtocolError } from "../../protocol/index.js";
import { TpmError, rcName } from "../../tpm2/index.js";
import { TpmConnectionError } from "../tpm/tpm-connection.js";
import { TpmLocationError } from "../tpm/tpm-location.js";
import { AttestationFailure } from "./outcome.js";

/** A failure of a TPM step: NO_TPM when there is no TPM 2.0 to talk to, TPM_COMMAND_FAILED otherwise. */
export function tpmFailure(error: unknown): AttestationFailure {
  if (error instanceof AttestationFailure) return error;
  if (error instanceof TpmLocationError) return AttestationFailure.of("NO_TPM", error.message, error);
  if (error instanceof TpmConnectionError) {
    return AttestationFailure.of(error.code === "TPM_IO" ? "TPM_COMMAND_FAILED" : "NO_TPM", error.message, error);
  }
  if (error instanceof TpmError) return AttestationFailure.of("TPM_COMMAND_FAILED", `${error.message} (${rcName(error.rc)})`, error);
  return AttestationFailure.of("TPM_COMMAND_FAILED", error instanceof Error ? error.message : String(error), error);
}

/** A failure of a service exchange: what the service said, or an answer that breaks the contract. */
export function serviceFailure(error: unknown): AttestationFailure {
  if (error instanceof AttestationFailure) return error;
  if (error instanceof ProtocolError) return new AttestationFailure(error.code, `the service's answer: ${error.message}`, { cause: error });
  if (error instanceof TpmError) return AttestationFailure.of("MALFORMED_TPM_STRUCTURE", `the service's answer: ${error.message}`, error);
  return AttestationFailure.of("INTERNAL", error instanceof Error ? error.message : String(error), error);
}

