/**
 * The TCG/Microsoft simulator protocol as a client (ms-tpm-20-ref TpmTcpProtocol.h, the TSS mssim TCTI):
 * command port P carries TPM_SEND_COMMAND frames, platform port P+1 the platform signals.
 */
import { SerialQueue, SocketChannel, u32, type SocketAddress } from "./socket-channel.js";
import { TpmConnectionError, type TpmConnection } from "./tpm-connection.js";

/** Options of {@link openMssim}. */
export interface MssimOptions {
  /** Platform port; port + 1 when absent. */
  readonly platformPort?: number;
  /** Locality of every command (0–4). */
  readonly locality?: number;
  /** Connect and per-command deadline, ms. */
  readonly timeoutMs?: number;
}

const MS = { SIGNAL_POWER_ON: 1, SEND_COMMAND: 8, SIGNAL_NV_ON: 11, SESSION_END: 20 } as const;
const MAX_RESPONSE = 64 * 1024;
const DEFAULT_TIMEOUT_MS = 120_000;

/**
 * Power on and NV on, as the mssim TCTI sends at every start: both are no-ops on a simulator that is already
 * powered, so this never resets a running TPM.
 */
async function powerOnAndNvOn(address: SocketAddress, timeoutMs: number): Promise<void> {
  const channel = await SocketChannel.open(address, timeoutMs);
  try {
    for (const signal of [MS.SIGNAL_POWER_ON, MS.SIGNAL_NV_ON]) {
      channel.write(u32(signal));
      const result = await channel.readU32(Date.now() + timeoutMs);
      if (result !== 0) throw new TpmConnectionError("TPM_IO", `platform signal ${signal} failed with ${result}`);
    }
    channel.end(u32(MS.SESSION_END));
  } catch (error) {
    channel.destroy();
    throw error;
  }
}

/** A TPM behind the simulator protocol: one command connection, opened after powering the TPM on. */
export function openMssim(address: SocketAddress, options: MssimOptions = {}): TpmConnection {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const platform: SocketAddress = { host: address.host, port: options.platformPort ?? address.port + 1 };
  const locality = options.locality ?? 0;
  const queue = new SerialQueue();
  let channel: SocketChannel | undefined;
  let closed = false;

  const transport = (command: Uint8Array) =>
    queue.run(async () => {
      if (closed) throw new TpmConnectionError("TPM_IO", "TPM connection closed");
      if (!channel?.usable) {
        await powerOnAndNvOn(platform, timeoutMs);
        channel = await SocketChannel.open(address, timeoutMs);
      }
      const deadline = Date.now() + timeoutMs;
      const header = Buffer.alloc(9);
      header.writeUInt32BE(MS.SEND_COMMAND, 0);
      header.writeUInt8(locality, 4);
      header.writeUInt32BE(command.length, 5);
      channel.write(Buffer.concat([header, command]));
      const size = await channel.readU32(deadline);
      if (size > MAX_RESPONSE) {
        channel.destroy();
        throw new TpmConnectionError("TPM_IO", `simulator sent a response of ${size} bytes`);
      }
      const response = await channel.read(size, deadline);
      await channel.readU32(deadline);
      // ms-tpm-20-ref answers a powered-off simulator with an empty response
      if (size === 0) throw new TpmConnectionError("TPM_IO", "the simulator is powered off");
      return response;
    });

  return {
    transport,
    close: () =>
      queue.run(() => {
        closed = true;
        channel?.end(u32(MS.SESSION_END));
        channel = undefined;
        return Promise.resolve();
      }),
  };
}
