/**
 * Frame-level abuse of the socket servers, each case on a short connection of its own: frames with wrong lengths
 * or cut mid-way, oversized and undersized frames, random bytes, and garbage on the control (swtpm) or platform
 * (mssim) port. Whatever comes back must be well framed; the server must keep serving. Garbage on the control
 * port may power the TPM off or put it in failure mode: the caller restores it afterwards.
 */
import { buildCommand } from "../../tpm2/index.js";
import { Connection, checkMssimReplies, checkResponseStream, u32 } from "./socket-client.js";
import type { Rng } from "./rng.js";

export type Protocol = "swtpm" | "mssim";

export interface AbuseResult {
  inputs: number;
  connections: number;
  failures: { kind: string; inputHex: string; problem: string }[];
}

const GET_RANDOM = buildCommand(0x17b, [], [], Buffer.from([0, 8]));

function frameVariant(rng: Rng): { kind: string; bytes: Buffer } {
  const honest = Buffer.from(GET_RANDOM);
  switch (rng.int(7)) {
    case 0: {
      const out = Buffer.from(honest);
      out.writeUInt32BE(rng.pick([0, 1, 9, 11, 13, 4096, 4097, 0xffffffff, rng.u32()]) >>> 0, 2);
      return { kind: "wrong-size", bytes: out };
    }
    case 1:
      return { kind: "cut", bytes: honest.subarray(0, rng.int(honest.length)) };
    case 2:
      return { kind: "random", bytes: rng.bytes(rng.int(64)) };
    case 3: {
      const body = rng.bytes(rng.int(128));
      const out = Buffer.concat([Buffer.from([0x80, 0x01]), u32(10 + body.length), u32(rng.u32()), body]);
      return { kind: "random-code", bytes: out };
    }
    case 4:
      return { kind: "two-frames-cut", bytes: Buffer.concat([honest, honest.subarray(0, 1 + rng.int(honest.length - 1))]) };
    case 5:
      return { kind: "honest-many", bytes: Buffer.concat(Array.from({ length: 1 + rng.int(4) }, () => honest)) };
    default: {
      const out = Buffer.from(honest);
      out[rng.int(out.length)]! ^= 1 << rng.int(8);
      return { kind: "bitflip", bytes: out };
    }
  }
}

function mssimVariant(rng: Rng): { kind: string; bytes: Buffer } {
  const { kind, bytes } = frameVariant(rng);
  switch (rng.int(5)) {
    case 0:
      return { kind: `mssim-length-short/${kind}`, bytes: Buffer.concat([u32(8), Buffer.from([0]), u32(Math.max(0, bytes.length - 1 - rng.int(4))), bytes]) };
    case 1:
      return { kind: `mssim-length-huge/${kind}`, bytes: Buffer.concat([u32(8), Buffer.from([0]), u32(rng.pick([4097, 0x10000, 0xffffffff])), bytes]) };
    case 2:
      return { kind: `mssim-garbage`, bytes: rng.bytes(rng.int(40)) };
    case 3:
      return { kind: `mssim-bad-locality/${kind}`, bytes: Buffer.concat([u32(8), Buffer.from([rng.int(256)]), u32(bytes.length), bytes]) };
    default:
      return { kind: `mssim-framed/${kind}`, bytes: Buffer.concat([u32(8), Buffer.from([0]), u32(bytes.length), bytes]) };
  }
}

/**
 * Garbage for the control/platform port: small command numbers most of the time (so real signals, power off and
 * failure mode among them, get hit with junk arguments), random words and bytes otherwise.
 */
function controlGarbage(rng: Rng): Buffer {
  const parts = Array.from({ length: 1 + rng.int(3) }, () =>
    Buffer.concat([u32(rng.chance(0.7) ? rng.int(40) : rng.u32()), rng.bytes(rng.int(12))]),
  );
  return rng.chance(0.2) ? rng.bytes(rng.int(16)) : Buffer.concat(parts);
}

/** Runs `count` abusive cases against a server; returns what went wrong (nothing, if the server is sound). */
export async function abuseFrames(rng: Rng, protocol: Protocol, port: number, controlPort: number, count: number): Promise<AbuseResult> {
  const result: AbuseResult = { inputs: 0, connections: 0, failures: [] };
  for (let i = 0; i < count; i++) {
    const onControl = rng.chance(0.2);
    const { kind, bytes } = onControl
      ? { kind: "control-garbage", bytes: controlGarbage(rng) }
      : protocol === "swtpm"
        ? frameVariant(rng)
        : mssimVariant(rng);
    const c = await Connection.open(onControl ? controlPort : port);
    result.connections++;
    result.inputs++;
    // split writes: the server must reassemble frames that arrive in pieces
    const cut = rng.int(bytes.length + 1);
    c.write(bytes.subarray(0, cut));
    c.write(bytes.subarray(cut));
    const received = await c.finish();
    try {
      if (!onControl) {
        if (protocol === "swtpm") checkResponseStream(received);
        else checkMssimReplies(received);
      }
    } catch (e) {
      result.failures.push({ kind, inputHex: bytes.toString("hex"), problem: (e as Error).message });
    }
  }
  return result;
}
