/** Fuzz targets: the in-process emulator (its byte interface, `execute`). */
import type { TpmEmulator } from "../../tpm-emulator/index.js";
import type { FuzzTarget } from "./fuzzer.js";

/** A fixed manufacturing seed: primary keys derive alike in every run, so RSA primaries are derived once. */
export const FUZZ_TPM_SEED = Buffer.alloc(32, 0x46);

/** Drives `tpm` through `execute`, its public byte interface; the power cycle is the platform's reset line. */
export function inProcessTarget(tpm: TpmEmulator): FuzzTarget {
  return {
    send: (command) => tpm.execute(command),
    powerCycle: () => {
      tpm.reset();
      return Promise.resolve();
    },
  };
}
