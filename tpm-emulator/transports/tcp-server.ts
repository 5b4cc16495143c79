/**
 * TPM sockets for real TPM software: the swtpm protocol (raw command stream on port P, swtpm control channel on
 * P+1; the TSS `swtpm` TCTI, QEMU) and the TCG/Microsoft simulator protocol (command port P, platform port P+1;
 * the TSS `mssim` TCTI). Loopback by default. One command executes at a time per TPM; a client that sends
 * garbage, a wrong length or disconnects mid-frame is answered with an error or dropped, and the server and the
 * TPM's state stay intact.
 */
import net, { type AddressInfo, type Server, type Socket } from "node:net";
import { TPM_LIMITS, TPM_RC, buildErrorResponse } from "../../tpm2/index.js";
import type { TpmEmulator } from "../emulator.js";
import { SocketReader } from "./socket-reader.js";

export type TpmProtocol = "swtpm" | "mssim";

export interface TpmServerOptions {
  host?: string;
  /** Command port; the control/platform port is port + 1. 0 picks free ports. */
  port?: number;
  protocol?: TpmProtocol;
  /** Called when a client asks the TPM to stop (swtpm CMD_STOP, mssim STOP). */
  onStop?: () => void;
}

export interface TpmServer {
  host: string;
  port: number;
  controlPort: number;
  protocol: TpmProtocol;
  close(): Promise<void>;
}

const HEADER = 10;

function u32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v >>> 0);
  return b;
}

// swtpm control channel (swtpm's `ptm` interface; codes and reply shapes of swtpm 0.7)
const CTRL = {
  GET_CAPABILITY: 1,
  INIT: 2,
  SHUTDOWN: 3,
  GET_TPMESTABLISHED: 4,
  SET_LOCALITY: 5,
  CANCEL_TPM_CMD: 9,
  STORE_VOLATILE: 10,
  RESET_TPMESTABLISHED: 11,
  STOP: 14,
  GET_CONFIG: 15,
  SET_BUFFERSIZE: 17,
} as const;
/** PTM_CAP_* bits for the commands answered here. */
const SWTPM_CAPS = 0x1 | 0x2 | 0x4 | 0x8 | 0x20 | 0x40 | 0x80 | 0x400 | 0x800 | 0x2000;
const TPM_SUCCESS = 0;
const TPM_BAD_PARAMETER = 3;
const TPM_BAD_ORDINAL = 10;

async function serveSwtpmControl(tpm: TpmEmulator, socket: Socket, opts: TpmServerOptions): Promise<void> {
  const r = new SocketReader(socket);
  for (;;) {
    const cmd = await r.u32();
    if (cmd === undefined) return;
    switch (cmd) {
      case CTRL.GET_CAPABILITY: {
        const caps = Buffer.alloc(8);
        caps.writeBigUInt64BE(BigInt(SWTPM_CAPS));
        socket.write(caps);
        break;
      }
      case CTRL.INIT: {
        const flags = await r.u32();
        if (flags === undefined) return;
        tpm.reset();
        socket.write(u32(TPM_SUCCESS));
        break;
      }
      case CTRL.SHUTDOWN:
        tpm.powerOff();
        socket.write(u32(TPM_SUCCESS));
        break;
      case CTRL.GET_TPMESTABLISHED: {
        const out = Buffer.alloc(8);
        out.writeUInt32BE(TPM_SUCCESS);
        socket.write(out);
        break;
      }
      case CTRL.SET_LOCALITY: {
        const loc = await r.u8();
        if (loc === undefined) return;
        if (loc > 4) {
          socket.write(u32(TPM_BAD_PARAMETER));
          break;
        }
        tpm.setLocality(loc);
        socket.write(u32(TPM_SUCCESS));
        break;
      }
      case CTRL.RESET_TPMESTABLISHED: {
        if ((await r.u8()) === undefined) return;
        socket.write(u32(TPM_SUCCESS));
        break;
      }
      case CTRL.CANCEL_TPM_CMD:
        socket.write(u32(TPM_SUCCESS));
        break;
      case CTRL.STORE_VOLATILE:
        tpm.save();
        socket.write(u32(TPM_SUCCESS));
        break;
      case CTRL.STOP:
        tpm.powerOff();
        socket.write(u32(TPM_SUCCESS));
        opts.onStop?.();
        break;
      case CTRL.GET_CONFIG:
        socket.write(Buffer.concat([u32(TPM_SUCCESS), u32(0)]));
        break;
      case CTRL.SET_BUFFERSIZE: {
        if ((await r.u32()) === undefined) return;
        const max = TPM_LIMITS.MAX_COMMAND_SIZE;
        socket.write(Buffer.concat([u32(TPM_SUCCESS), u32(max), u32(max), u32(max)]));
        break;
      }
      default:
        socket.end(u32(TPM_BAD_ORDINAL));
        return;
    }
  }
}

/**
 * The raw command stream, parsed as bytes arrive: every complete frame is executed synchronously and answered
 * before the next is looked at, so commands run one at a time and in order, with no per-command promise.
 */
function serveRawStream(tpm: TpmEmulator, socket: Socket): Promise<void> {
  if (tpm.latencyMs > 0) return serveRawStreamQueued(tpm, socket);
  let pending: Buffer = Buffer.alloc(0);
  return new Promise((resolve) => {
    socket.on("close", () => resolve());
    socket.on("data", (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      while (pending.length >= HEADER) {
        const size = pending.readUInt32BE(2);
        if (size < HEADER || size > TPM_LIMITS.MAX_COMMAND_SIZE) {
          socket.end(buildErrorResponse(TPM_RC.COMMAND_SIZE));
          pending = Buffer.alloc(0);
          return;
        }
        if (pending.length < size) return;
        const command = pending.subarray(0, size);
        pending = pending.subarray(size);
        socket.write(tpm.executeSync(command));
      }
    });
  });
}

/** The raw stream through the emulator's async queue, for TPMs with added latency (the `slow:MS` fault). */
async function serveRawStreamQueued(tpm: TpmEmulator, socket: Socket): Promise<void> {
  const r = new SocketReader(socket);
  for (;;) {
    const header = await r.read(HEADER);
    if (!header) return;
    const size = header.readUInt32BE(2);
    if (size < HEADER || size > TPM_LIMITS.MAX_COMMAND_SIZE) {
      socket.end(buildErrorResponse(TPM_RC.COMMAND_SIZE));
      return;
    }
    const body = await r.read(size - HEADER);
    if (!body) return;
    const response = await tpm.execute(Buffer.concat([header, body]));
    if (socket.destroyed) return;
    socket.write(response);
  }
}

// TCG/Microsoft simulator protocol (ms-tpm-20-ref TpmTcpProtocol.h)
const MS = {
  POWER_ON: 1,
  POWER_OFF: 2,
  PHYS_PRES_ON: 3,
  PHYS_PRES_OFF: 4,
  HASH_START: 5,
  HASH_DATA: 6,
  HASH_END: 7,
  SEND_COMMAND: 8,
  CANCEL_ON: 9,
  CANCEL_OFF: 10,
  NV_ON: 11,
  NV_OFF: 12,
  KEY_CACHE_ON: 13,
  KEY_CACHE_OFF: 14,
  REMOTE_HANDSHAKE: 15,
  SET_ALTERNATIVE_RESULT: 16,
  RESET: 17,
  RESTART: 18,
  SESSION_END: 20,
  STOP: 21,
  TEST_FAILURE_MODE: 30,
} as const;
const MS_SERVER_VERSION = 1;
/** tpmPlatformAvailable | tpmInRawMode | tpmSupportsPP */
const MS_FLAGS = 0x1 | 0x4 | 0x8;
const ACK = u32(0);

async function serveMssimCommands(tpm: TpmEmulator, socket: Socket, opts: TpmServerOptions): Promise<void> {
  const r = new SocketReader(socket);
  for (;;) {
    const cmd = await r.u32();
    if (cmd === undefined) return;
    switch (cmd) {
      case MS.SEND_COMMAND: {
        const locality = await r.u8();
        const length = await r.u32();
        if (locality === undefined || length === undefined) return;
        if (length > TPM_LIMITS.MAX_COMMAND_SIZE) {
          socket.destroy();
          return;
        }
        const command = await r.read(length);
        if (!command) return;
        const response = tpm.isPowered ? await tpm.execute(command, { locality }) : Buffer.alloc(0);
        if (socket.destroyed) return;
        socket.write(Buffer.concat([u32(response.length), response, ACK]));
        break;
      }
      case MS.REMOTE_HANDSHAKE:
        if ((await r.u32()) === undefined) return;
        socket.write(Buffer.concat([u32(MS_SERVER_VERSION), u32(MS_FLAGS), ACK]));
        break;
      case MS.HASH_DATA: {
        const n = await r.u32();
        if (n === undefined || n > TPM_LIMITS.MAX_COMMAND_SIZE || !(await r.read(n))) return;
        socket.write(ACK);
        break;
      }
      case MS.SET_ALTERNATIVE_RESULT:
        if ((await r.u32()) === undefined) return;
        socket.write(ACK);
        break;
      case MS.HASH_START:
      case MS.HASH_END:
        socket.write(ACK);
        break;
      case MS.SESSION_END:
        socket.end();
        return;
      case MS.STOP:
        socket.end();
        opts.onStop?.();
        return;
      default:
        socket.destroy();
        return;
    }
  }
}

async function serveMssimPlatform(tpm: TpmEmulator, socket: Socket, opts: TpmServerOptions): Promise<void> {
  const r = new SocketReader(socket);
  for (;;) {
    const cmd = await r.u32();
    if (cmd === undefined) return;
    switch (cmd) {
      case MS.POWER_ON:
        tpm.powerOn();
        break;
      case MS.POWER_OFF:
        tpm.powerOff();
        break;
      case MS.PHYS_PRES_ON:
        tpm.setPhysicalPresence(true);
        break;
      case MS.PHYS_PRES_OFF:
        tpm.setPhysicalPresence(false);
        break;
      case MS.RESET:
      case MS.RESTART:
        tpm.reset();
        break;
      case MS.TEST_FAILURE_MODE:
        tpm.enterFailureMode();
        break;
      case MS.NV_ON:
      case MS.NV_OFF:
      case MS.CANCEL_ON:
      case MS.CANCEL_OFF:
      case MS.KEY_CACHE_ON:
      case MS.KEY_CACHE_OFF:
        break;
      case MS.SESSION_END:
        socket.end();
        return;
      case MS.STOP:
        socket.end(ACK);
        opts.onStop?.();
        return;
      default:
        socket.end(u32(1));
        return;
    }
    socket.write(ACK);
  }
}

function listen(host: string, port: number, onSocket: (s: Socket) => Promise<void>): Promise<Server> {
  const sockets = new Set<Socket>();
  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    onSocket(socket).catch(() => socket.destroy());
  });
  server.on("close", () => sockets.forEach((s) => s.destroy()));
  const originalClose = server.close.bind(server);
  server.close = (cb) => {
    sockets.forEach((s) => s.destroy());
    return originalClose(cb);
  };
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve(server);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Serves `tpm` on a port pair; with port 0, picks a free pair (P and P+1). */
export async function serveTpm(tpm: TpmEmulator, opts: TpmServerOptions = {}): Promise<TpmServer> {
  const host = opts.host ?? "127.0.0.1";
  const protocol = opts.protocol ?? "swtpm";
  const [onCommand, onControl] =
    protocol === "swtpm"
      ? [(s: Socket) => serveRawStream(tpm, s), (s: Socket) => serveSwtpmControl(tpm, s, opts)]
      : [(s: Socket) => serveMssimCommands(tpm, s, opts), (s: Socket) => serveMssimPlatform(tpm, s, opts)];
  for (let attempt = 0; ; attempt++) {
    const command = await listen(host, opts.port ?? 0, onCommand);
    const port = (command.address() as AddressInfo).port;
    try {
      const control = await listen(host, port + 1, onControl);
      return {
        host,
        port,
        controlPort: port + 1,
        protocol,
        close: async () => {
          await Promise.all([closeServer(command), closeServer(control)]);
        },
      };
    } catch (e) {
      await closeServer(command);
      if (opts.port || attempt >= 20) throw e;
    }
  }
}
