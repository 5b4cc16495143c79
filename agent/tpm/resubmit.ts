/**
 * What a TSS does between the caller and the TPM: resubmit a command the TPM asked to see again
 * (TPM_RC_RETRY, TPM_RC_TESTING, TPM_RC_YIELDED — ESYS's `_ESYS_MAX_SUBMISSIONS` loop) and start a TPM that
 * answers TPM_RC_INITIALIZE (TPM2_Startup(CLEAR) once, then the command again). A response from a TPM 1.2
 * part ends the conversation: it cannot run TPM 2.0 commands.
 */
import { TPM_CC, TPM_RC, TPM_SU, buildCommand, type Transport } from "../../tpm2/index.js";
import { TpmConnectionError } from "./tpm-connection.js";

/** Options of {@link resubmitting}. */
export interface ResubmitOptions {
  /** Submissions of one command at most (ESYS: 5). */
  readonly maxSubmissions?: number;
  /** Pause before a resubmission, doubled each time (ms). */
  readonly baseDelayMs?: number;
  /** How to wait; tests inject one that does not sleep. */
  readonly delay?: (ms: number) => Promise<void>;
}

const RESUBMIT = new Set<number>([TPM_RC.RETRY, TPM_RC.TESTING, TPM_RC.YIELDED]);
/** TPM 1.2 TPM_TAG_RSP_COMMAND: what a TPM 1.2 answers to anything it does not understand. */
const TPM12_RESPONSE_TAG = 0x00c4;
const HEADER = 10;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function startupClear(): Buffer {
  const parameters = Buffer.alloc(2);
  parameters.writeUInt16BE(TPM_SU.CLEAR);
  return buildCommand(TPM_CC.Startup, [], [], parameters);
}

function commandCode(command: Uint8Array): number {
  return command.length >= HEADER ? Buffer.from(command.buffer, command.byteOffset, command.length).readUInt32BE(6) : 0;
}

/** Wraps a transport with the TSS's resubmission and start-up rules. */
export function resubmitting(inner: Transport, options: ResubmitOptions = {}): Transport {
  const maxSubmissions = options.maxSubmissions ?? 5;
  const baseDelayMs = options.baseDelayMs ?? 20;
  const delay = options.delay ?? sleep;
  return async (command) => {
    let startedUp = commandCode(command) === TPM_CC.Startup;
    for (let submission = 1; ; submission++) {
      const response = Buffer.from(await inner(command));
      if (response.length < HEADER) throw new TpmConnectionError("TPM_IO", `TPM response of ${response.length} bytes`);
      if (response.readUInt16BE(0) === TPM12_RESPONSE_TAG) {
        throw new TpmConnectionError("NOT_TPM2", "the TPM answers as a TPM 1.2 part (TPM_TAG_RSP_COMMAND)");
      }
      const rc = response.readUInt32BE(6);
      if (rc === TPM_RC.INITIALIZE && !startedUp) {
        startedUp = true;
        await inner(startupClear());
        continue;
      }
      if (!RESUBMIT.has(rc) || submission >= maxSubmissions) return response;
      await delay(baseDelayMs * 2 ** (submission - 1));
    }
  };
}
