import { TpmEmulator, TpmStateFileError } from "../../tpm-emulator/index.js";
import { TpmConnectionError, type TpmConnection } from "./tpm-connection.js";

/** An emulator in this process; closing saves its NV. */
export function emulatorConnection(emulator: TpmEmulator): TpmConnection {
  return {
    transport: (command) => emulator.execute(command),
    close: () => {
      emulator.save();
      return Promise.resolve();
    },
  };
}

/** The emulator whose state is in `stateDir`; no or unreadable state is TPM_UNREACHABLE. */
export function openStateDir(stateDir: string): TpmConnection {
  let emulator: TpmEmulator;
  try {
    emulator = TpmEmulator.open(stateDir);
  } catch (error) {
    if (error instanceof TpmStateFileError) {
      throw new TpmConnectionError("TPM_UNREACHABLE", `no TPM state in ${stateDir}: ${error.message}`, { cause: error });
    }
    throw error;
  }
  return emulatorConnection(emulator);
}
