/**
 * swtpm's socket interface as a client: the raw command stream on port P (a TPM 2.0 command in, its response
 * out, no envelope) and the control channel on P+1 (swtpm's `ptm` commands, one connection per command as the
 * TSS swtpm TCTI does). One data connection is kept open for all commands, as QEMU does.
 */
import { TPM_RC } from "../../tpm2/index.js";
import { SerialQueue, SocketChannel, u32, type SocketAddress } from "./socket-channel.js";
import { TpmConnectionError, type TpmConnection } from "./tpm-connection.js";

/** Options of {@link openSwtpm}. */
export interface SwtpmOptions {
  /** Control port; port + 1 when absent (swtpm's and the TCTI's convention). */
  readonly controlPort?: number;
  /** Connect and per-command deadline, ms. */
  readonly timeoutMs?: number;
}

const HEADER = 10;
const MAX_RESPONSE = 64 * 1024;
/** swtpm control command CMD_INIT with flags 0: power on (_TPM_Init), keep volatile state. */
const CMD_INIT = 2;
const DEFAULT_TIMEOUT_MS = 120_000;

/** Sends CMD_INIT on the control port: what a TPM started without `--flags not-need-init` waits for. */
async function powerOn(address: SocketAddress, timeoutMs: number): Promise<void> {
  const channel = await SocketChannel.open(address, timeoutMs);
  try {
    channel.write(Buffer.concat([u32(CMD_INIT), u32(0)]));
    const result = await channel.readU32(Date.now() + timeoutMs);
    if (result !== 0) throw new TpmConnectionError("TPM_IO", `swtpm CMD_INIT failed with ${result}`);
  } finally {
    channel.destroy();
  }
}

/**
 * A TPM behind swtpm's raw stream. swtpm answers TPM_RC_FAILURE until it is initialized; when the first
 * answer on a connection is that, the TPM is powered on over the control channel once and the command resent
 * (it was not executed).
 */
export function openSwtpm(address: SocketAddress, options: SwtpmOptions = {}): TpmConnection {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const control: SocketAddress = { host: address.host, port: options.controlPort ?? address.port + 1 };
  const queue = new SerialQueue();
  let channel: SocketChannel | undefined;
  let poweredOn = false;
  let closed = false;

  const exchange = async (command: Uint8Array): Promise<Buffer> => {
    if (!channel?.usable) channel = await SocketChannel.open(address, timeoutMs);
    const deadline = Date.now() + timeoutMs;
    channel.write(command);
    const header = await channel.read(HEADER, deadline);
    const size = header.readUInt32BE(2);
    if (size < HEADER || size > MAX_RESPONSE) {
      channel.destroy();
      throw new TpmConnectionError("TPM_IO", `swtpm sent a response of ${size} bytes`);
    }
    return Buffer.concat([header, await channel.read(size - HEADER, deadline)]);
  };

  const transport = (command: Uint8Array) =>
    queue.run(async () => {
      if (closed) throw new TpmConnectionError("TPM_IO", "TPM connection closed");
      const response = await exchange(command);
      if (poweredOn || response.readUInt32BE(6) !== TPM_RC.FAILURE) {
        poweredOn = true;
        return response;
      }
      poweredOn = true;
      await powerOn(control, timeoutMs);
      return exchange(command);
    });

  return {
    transport,
    close: () =>
      queue.run(() => {
        closed = true;
        channel?.end();
        channel = undefined;
        return Promise.resolve();
      }),
  };
}
