/**
 * Socket side of the fuzz: a byte-exact connection, fuzz targets speaking the swtpm and mssim protocols, and
 * frame-level abuse (wrong lengths, frames cut mid-way, garbage on the control and platform ports, many short
 * connections) whose replies are checked for framing.
 */
import { connect, type Socket } from "node:net";
import { HEADER_SIZE, TPM_ST } from "../../tpm2/index.js";
import type { FuzzTarget, TransportReply } from "./fuzzer.js";
import type { Rng } from "./rng.js";

/** A connected socket read by exact byte counts; everything received is also kept in `received`. */
export class Connection {
  private buf: Buffer = Buffer.alloc(0);
  private wake: (() => void) | undefined;
  private ended = false;
  readonly received: Buffer[] = [];
  readonly closed: Promise<void>;

  private constructor(readonly socket: Socket) {
    socket.on("data", (d: Buffer) => {
      this.received.push(d);
      this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d]);
      this.wake?.();
    });
    this.closed = new Promise((resolve) => {
      socket.on("close", () => {
        this.ended = true;
        this.wake?.();
        resolve();
      });
    });
    // a reset by the server is one of the answers it may give to garbage
    socket.on("error", () => undefined);
  }

  static async open(port: number): Promise<Connection> {
    const socket = connect(port, "127.0.0.1");
    socket.setNoDelay(true);
    await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
    return new Connection(socket);
  }

  /** Exactly `n` bytes; rejects if the server closes first. */
  async read(n: number): Promise<Buffer> {
    while (this.buf.length < n) {
      if (this.ended) throw new Error(`connection closed with ${this.buf.length}/${n} bytes`);
      await new Promise<void>((r) => (this.wake = r));
    }
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }

  write(bytes: Uint8Array): void {
    if (!this.socket.destroyed) this.socket.write(bytes);
  }

  /** Half-closes and waits for the server to close too; returns every byte received. */
  async finish(): Promise<Buffer> {
    this.socket.end();
    await this.closed;
    return Buffer.concat(this.received);
  }

  destroy(): void {
    this.socket.destroy();
  }
}

export function u32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v >>> 0);
  return b;
}

/** Checks a byte stream is a sequence of whole, well-formed TPM responses; returns how many. */
export function checkResponseStream(bytes: Buffer): number {
  let at = 0;
  let n = 0;
  while (at < bytes.length) {
    if (bytes.length - at < HEADER_SIZE) throw new Error(`${bytes.length - at} trailing bytes, less than a response header`);
    const tag = bytes.readUInt16BE(at);
    const size = bytes.readUInt32BE(at + 2);
    const rc = bytes.readUInt32BE(at + 6);
    if (tag !== TPM_ST.NO_SESSIONS && tag !== TPM_ST.SESSIONS) throw new Error(`response tag 0x${tag.toString(16)}`);
    if (size < HEADER_SIZE || at + size > bytes.length) throw new Error(`response size ${size} with ${bytes.length - at} bytes left`);
    if (rc > 0xfff) throw new Error(`response code 0x${rc.toString(16)}`);
    if (rc !== 0 && size !== HEADER_SIZE) throw new Error(`error 0x${rc.toString(16)} in a ${size}-byte response`);
    at += size;
    n++;
  }
  return n;
}

/** Checks a stream of mssim SEND_COMMAND replies (length, response, ack) and returns how many. */
export function checkMssimReplies(bytes: Buffer): number {
  let at = 0;
  let n = 0;
  while (at < bytes.length) {
    if (bytes.length - at < 8) throw new Error(`${bytes.length - at} trailing bytes after ${n} replies`);
    const length = bytes.readUInt32BE(at);
    if (at + 4 + length + 4 > bytes.length) throw new Error(`reply of ${length} bytes cut off`);
    if (length > 0) checkResponseStream(bytes.subarray(at + 4, at + 4 + length));
    if (length > 0 && bytes.readUInt32BE(at + 2 + 4) !== length) throw new Error("mssim length and response size differ");
    if (bytes.readUInt32BE(at + 4 + length) !== 0) throw new Error("mssim reply without a zero acknowledgement");
    at += 8 + length;
    n++;
  }
  return n;
}

const MS_SEND_COMMAND = 8;
const MS_POWER_ON = 1;
const MS_POWER_OFF = 2;
const SWTPM_INIT = 2;

/**
 * Sends a frame on its own connection and collects what comes back until the server closes: for frames the raw
 * stream cannot delimit (size field wrong, too short, too big). Returns the first response, if any.
 */
async function sendAlone(port: number, frame: Uint8Array): Promise<TransportReply | undefined> {
  const c = await Connection.open(port);
  c.write(frame);
  const bytes = await c.finish();
  checkResponseStream(bytes);
  if (bytes.length === 0) return undefined;
  // the server delimits by the size field: what it executed first is that many bytes (or, if the size is
  // unusable, nothing: its answer is then TPM_RC_COMMAND_SIZE)
  const size = frame.length >= HEADER_SIZE ? Buffer.from(frame).readUInt32BE(2) : 0;
  const seen = size >= HEADER_SIZE && size <= frame.length ? frame.subarray(0, size) : frame;
  return { seen, response: bytes.subarray(0, bytes.readUInt32BE(2)) };
}

/** A fuzz target over one long-lived swtpm raw-stream connection; frames it cannot delimit go alone. */
export function swtpmTarget(port: number, controlPort: number): FuzzTarget & { close(): void } {
  let conn: Connection | undefined;
  return {
    async send(command) {
      const delimited = command.length >= HEADER_SIZE && Buffer.from(command).readUInt32BE(2) === command.length && command.length <= 4096;
      if (!delimited) return sendAlone(port, command);
      const c = (conn ??= await Connection.open(port));
      c.write(command);
      const header = await c.read(HEADER_SIZE);
      const size = header.readUInt32BE(2);
      if (size < HEADER_SIZE || size > 4096) throw new Error(`response size field ${size}`);
      return Buffer.concat([header, await c.read(size - HEADER_SIZE)]);
    },
    async powerCycle() {
      const c = await Connection.open(controlPort);
      c.write(Buffer.concat([u32(SWTPM_INIT), u32(0)]));
      const rc = (await c.read(4)).readUInt32BE(0);
      c.destroy();
      if (rc !== 0) throw new Error(`swtpm CMD_INIT answered ${rc}`);
    },
    close() {
      conn?.destroy();
    },
  };
}

/** A fuzz target over one mssim command connection; power cycles on the platform port. */
export function mssimTarget(port: number, platformPort: number, rng: Rng): FuzzTarget & { close(): void } {
  let conn: Connection | undefined;
  const connection = async () => (conn ??= await Connection.open(port));
  return {
    async send(command) {
      const c = await connection();
      c.write(Buffer.concat([u32(MS_SEND_COMMAND), Buffer.from([rng.chance(0.95) ? 0 : rng.int(5)]), u32(command.length), command]));
      const length = (await c.read(4)).readUInt32BE(0);
      const response = await c.read(length);
      const ack = (await c.read(4)).readUInt32BE(0);
      if (ack !== 0) throw new Error(`mssim acknowledgement ${ack}`);
      return Buffer.from(response);
    },
    async powerCycle() {
      const c = await Connection.open(platformPort);
      for (const cmd of [MS_POWER_OFF, MS_POWER_ON]) {
        c.write(u32(cmd));
        if ((await c.read(4)).readUInt32BE(0) !== 0) throw new Error(`mssim platform signal ${cmd} not acknowledged`);
      }
      c.destroy();
    },
    close() {
      conn?.destroy();
    },
  };
}
