/**
 * A kernel TPM character device (/dev/tpmrm0 with the kernel's resource manager, or /dev/tpm0): write one
 * whole command, read one whole response (Linux drivers/char/tpm/tpm-dev-common.c).
 */
import { open, type FileHandle } from "node:fs/promises";
import { SerialQueue } from "./socket-channel.js";
import { TpmConnectionError, type TpmConnection } from "./tpm-connection.js";

const MAX_RESPONSE = 4096;

/** Opens the device lazily at the first command; a missing or forbidden device is TPM_UNREACHABLE. */
export function openDeviceFile(path: string): TpmConnection {
  const queue = new SerialQueue();
  let file: FileHandle | undefined;

  const transport = (command: Uint8Array) =>
    queue.run(async () => {
      try {
        file ??= await open(path, "r+");
      } catch (error) {
        throw new TpmConnectionError("TPM_UNREACHABLE", `cannot open ${path}: ${(error as Error).message}`, { cause: error });
      }
      try {
        await file.write(command);
        const buffer = Buffer.alloc(MAX_RESPONSE);
        const { bytesRead } = await file.read(buffer, 0, MAX_RESPONSE, null);
        return buffer.subarray(0, bytesRead);
      } catch (error) {
        throw new TpmConnectionError("TPM_IO", `${path}: ${(error as Error).message}`, { cause: error });
      }
    });

  return {
    transport,
    close: () =>
      queue.run(async () => {
        await file?.close();
        file = undefined;
      }),
  };
}
