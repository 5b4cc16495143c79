import { connect, type Socket } from "node:net";
import { TpmConnectionError } from "./tpm-connection.js";

/** Where a TPM socket listens. */
export interface SocketAddress {
  readonly host: string;
  readonly port: number;
}

const CONNECTION_REFUSED = new Set(["ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EADDRNOTAVAIL"]);

function errorCode(error: unknown): string | undefined {
  return typeof error === "object" && error !== null && "code" in error ? String(error.code) : undefined;
}

/**
 * One TCP connection read as exact byte counts, with a deadline per exchange. A broken or timed-out
 * connection is destroyed; its owner opens a new one for the next command (a TPM command is never
 * resent after a connection broke mid-way: the TPM may have executed it).
 */
export class SocketChannel {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private failure: Error | undefined;
  private waiter: (() => void) | undefined;

  private constructor(
    private readonly socket: Socket,
    readonly address: SocketAddress,
  ) {
    socket.setNoDelay(true);
    socket.on("data", (data: Buffer) => {
      this.chunks.push(data);
      this.buffered += data.length;
      this.wake();
    });
    const fail = (error?: Error) => {
      this.failure ??= error ?? new TpmConnectionError("TPM_IO", `${this.describe()} closed the connection`);
      this.wake();
    };
    socket.on("end", () => fail());
    socket.on("close", () => fail());
    socket.on("error", (error) => fail(new TpmConnectionError("TPM_IO", `${this.describe()}: ${error.message}`, { cause: error })));
  }

  /** Connects within `timeoutMs`; refused or unroutable → TPM_UNREACHABLE. */
  static open(address: SocketAddress, timeoutMs: number): Promise<SocketChannel> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: address.host, port: address.port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new TpmConnectionError("TPM_UNREACHABLE", `no TPM answers at ${address.host}:${address.port} (connect timed out)`));
      }, timeoutMs);
      socket.once("connect", () => {
        clearTimeout(timer);
        socket.removeAllListeners("error");
        resolve(new SocketChannel(socket, address));
      });
      socket.once("error", (error) => {
        clearTimeout(timer);
        socket.destroy();
        const code = CONNECTION_REFUSED.has(errorCode(error) ?? "") ? "TPM_UNREACHABLE" : "TPM_IO";
        reject(new TpmConnectionError(code, `no TPM answers at ${address.host}:${address.port}: ${error.message}`, { cause: error }));
      });
    });
  }

  get usable(): boolean {
    return this.failure === undefined && !this.socket.destroyed;
  }

  write(bytes: Uint8Array): void {
    if (this.failure) throw this.failure;
    this.socket.write(bytes);
  }

  /** Exactly `n` bytes before `deadline` (ms since the epoch, wall clock: this is socket I/O). */
  async read(n: number, deadline: number): Promise<Buffer> {
    while (this.buffered < n) {
      if (this.failure) throw this.failure;
      const left = deadline - Date.now();
      if (left <= 0) {
        this.destroy();
        throw new TpmConnectionError("TPM_IO", `${this.describe()} did not answer in time`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.waiter = undefined;
    }
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    const out = all.subarray(0, n);
    const rest = all.subarray(n);
    this.chunks = rest.length ? [rest] : [];
    this.buffered = rest.length;
    return out;
  }

  async readU32(deadline: number): Promise<number> {
    return (await this.read(4, deadline)).readUInt32BE(0);
  }

  /** Half-closes after writing `last` (if any) and lets the socket go. */
  end(last?: Uint8Array): void {
    if (this.socket.destroyed) return;
    if (last) this.socket.end(last);
    else this.socket.end();
    this.socket.destroySoon();
  }

  destroy(): void {
    this.failure ??= new TpmConnectionError("TPM_IO", `${this.describe()} closed`);
    this.socket.destroy();
  }

  private describe(): string {
    return `TPM at ${this.address.host}:${this.address.port}`;
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }
}

/** A big-endian u32. */
export function u32(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value >>> 0);
  return out;
}

/** Runs tasks one at a time in order, as a TPM executes commands. */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const next = this.tail.then(task, task);
    this.tail = next.catch(() => undefined);
    return next;
  }
}
