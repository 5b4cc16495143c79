import type { Socket } from "node:net";

/** Reads exact byte counts from a stream socket; resolves undefined at end of stream. */
export class SocketReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private ended = false;
  private waiter: (() => void) | undefined;

  constructor(socket: Socket) {
    socket.on("data", (d: Buffer) => {
      this.chunks.push(d);
      this.buffered += d.length;
      this.wake();
    });
    const end = () => {
      this.ended = true;
      this.wake();
    };
    socket.on("end", end);
    socket.on("close", end);
    socket.on("error", end);
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }

  /** Exactly `n` bytes, or undefined if the peer closed first (a cut-off frame is dropped). */
  async read(n: number): Promise<Buffer | undefined> {
    while (this.buffered < n) {
      if (this.ended) return undefined;
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    const out = all.subarray(0, n);
    const rest = all.subarray(n);
    this.chunks = rest.length ? [rest] : [];
    this.buffered = rest.length;
    return out;
  }

  async u32(): Promise<number | undefined> {
    return (await this.read(4))?.readUInt32BE(0);
  }

  async u8(): Promise<number | undefined> {
    return (await this.read(1))?.readUInt8(0);
  }
}
