/**
 * Mutations of a built command, aimed where parsers go wrong: bit flips, truncation and extension (with and
 * without a matching size field), the command size, TPM2B sizes, list counts, the authorization size, handles,
 * union selectors (algorithm IDs), session attributes, the command code, and plain random bytes.
 */
import { COMMANDS, TPM_ALG, TPM_ST } from "../../tpm2/index.js";
import type { BuiltCommand } from "./builder.js";
import type { Model } from "./model.js";
import type { Rng } from "./rng.js";

export interface Mutation {
  kind: string;
  bytes: Buffer;
}

const ALG_IDS: readonly number[] = Object.values(TPM_ALG);
const ALG_SET = new Set(ALG_IDS.filter((a) => a !== 0));
const CODES = Object.values(COMMANDS).map((c) => c.code);

function setSize(b: Buffer): Buffer {
  if (b.length >= 6) b.writeUInt32BE(b.length, 2);
  return b;
}

function flipBits(rng: Rng, b: Buffer, from = 0): Buffer {
  const out = Buffer.from(b);
  const n = rng.pick([1, 1, 1, 2, 3, 8]);
  for (let i = 0; i < n && out.length > from; i++) out[from + rng.int(out.length - from)]! ^= 1 << rng.int(8);
  return out;
}

function sizeValue(rng: Rng, current: number, max: number): number {
  return rng.pick([0, 1, current - 1, current + 1, current + 2, max, max + 1, rng.int(max + 2), 0xffff & rng.u32()]);
}

/** Offsets of u16 words in the parameter area that hold an algorithm ID: union selectors, most likely. */
function selectorOffsets(c: BuiltCommand): number[] {
  const out: number[] = [];
  for (let at = c.paramsOffset; at + 2 <= c.bytes.length; at++) if (ALG_SET.has(c.bytes.readUInt16BE(at))) out.push(at);
  return out;
}

type Mutator = (rng: Rng, c: BuiltCommand, model: Model) => Buffer | undefined;

const MUTATORS: Record<string, [Mutator, number]> = {
  bitflip: [(rng, c) => flipBits(rng, c.bytes, 6), 6],
  "bitflip-params": [(rng, c) => (c.bytes.length > c.paramsOffset ? flipBits(rng, c.bytes, c.paramsOffset) : undefined), 5],
  truncate: [(rng, c) => c.bytes.subarray(0, rng.int(c.bytes.length)), 2],
  "truncate-resized": [(rng, c) => setSize(Buffer.from(c.bytes.subarray(0, 6 + rng.int(c.bytes.length - 5)))), 4],
  extend: [(rng, c) => Buffer.concat([c.bytes, rng.bytes(rng.range(1, 16))]), 2],
  "extend-resized": [(rng, c) => setSize(Buffer.concat([c.bytes, rng.bytes(rng.range(1, 16))])), 3],
  "command-size": [
    (rng, c) => {
      const out = Buffer.from(c.bytes);
      out.writeUInt32BE(rng.pick([0, 1, 9, 10, c.bytes.length - 1, c.bytes.length + 1, 4096, 4097, 0xffffffff, rng.u32()]) >>> 0, 2);
      return out;
    },
    2,
  ],
  "tpm2b-size": [
    (rng, c) => {
      const sized = c.fields.filter((f) => f.schema.sized && f.length >= 2);
      if (sized.length === 0) return undefined;
      const f = rng.pick(sized);
      const out = Buffer.from(c.bytes);
      out.writeUInt16BE(sizeValue(rng, out.readUInt16BE(f.offset), 1024) & 0xffff, f.offset);
      return rng.chance(0.5) ? out : setSize(Buffer.concat([out, rng.bytes(rng.int(8))]));
    },
    5,
  ],
  "inner-size": [
    (rng, c) => {
      // any u16 in the parameters may be a nested TPM2B size (inside TPMT_PUBLIC, TPMS_CONTEXT, …)
      if (c.bytes.length < c.paramsOffset + 2) return undefined;
      const at = c.paramsOffset + rng.int(c.bytes.length - c.paramsOffset - 1);
      const out = Buffer.from(c.bytes);
      out.writeUInt16BE(sizeValue(rng, out.readUInt16BE(at), 256) & 0xffff, at);
      return out;
    },
    3,
  ],
  "list-count": [
    (rng, c) => {
      const lists = c.fields.filter((f) => f.schema.name.startsWith("TPML_") && f.length >= 4);
      if (lists.length === 0) return undefined;
      const f = rng.pick(lists);
      const out = Buffer.from(c.bytes);
      out.writeUInt32BE(rng.pick([0, 1, 2, 3, 4, 5, 8, 9, 64, 65, 256, 257, 0x7fffffff, 0xffffffff, rng.u32()]) >>> 0, f.offset);
      return out;
    },
    3,
  ],
  "auth-size": [
    (rng, c) => {
      if (c.authSizeOffset === undefined) return undefined;
      const out = Buffer.from(c.bytes);
      const v = out.readUInt32BE(c.authSizeOffset);
      out.writeUInt32BE(rng.pick([0, 8, 9, v - 1, v + 1, v + 2, c.bytes.length, 0xffffffff, rng.u32()]) >>> 0, c.authSizeOffset);
      return out;
    },
    3,
  ],
  "session-field": [
    (rng, c) => {
      if (c.sessions.length === 0) return undefined;
      const s = rng.pick(c.sessions);
      const out = Buffer.from(c.bytes);
      const nonceSize = out.readUInt16BE(s.offset + 4);
      const attrAt = s.offset + 6 + nonceSize;
      switch (rng.int(4)) {
        case 0:
          out[attrAt] = rng.chance(0.5) ? out[attrAt]! ^ (1 << rng.int(8)) : rng.int(256);
          break;
        case 1:
          out.writeUInt32BE(rng.pick([0x40000009, 0x02000000, 0x03000000, 0x02000001, 0x80000000, rng.u32()]) >>> 0, s.offset);
          break;
        case 2:
          out.writeUInt16BE(sizeValue(rng, nonceSize, 64) & 0xffff, s.offset + 4);
          break;
        default:
          if (attrAt + 3 <= out.length) out.writeUInt16BE(sizeValue(rng, out.readUInt16BE(attrAt + 1), 64) & 0xffff, attrAt + 1);
      }
      return out;
    },
    4,
  ],
  "handle-swap": [
    (rng, c, model) => {
      if (c.handles.length === 0) return undefined;
      const out = Buffer.from(c.bytes);
      const i = rng.int(c.handles.length);
      const live = [...model.objects.keys(), ...model.sessions.keys(), ...model.nv.keys()];
      const other =
        c.handles.length > 1 && rng.chance(0.3)
          ? c.handles[(i + 1) % c.handles.length]!
          : rng.chance(0.6) && live.length > 0
            ? rng.pick(live)
            : rng.pick([0x40000001, 0x4000000b, 0x4000000c, 0x40000007, 0x4000000a, 0x40000009, 0x81000000, 0x80ffffff, 0x01ffffff, 0x02ffffff, 0, 24, rng.u32()]);
      out.writeUInt32BE(other >>> 0, 10 + 4 * i);
      return out;
    },
    4,
  ],
  selector: [
    (rng, c) => {
      const at = selectorOffsets(c);
      if (at.length === 0) return undefined;
      const out = Buffer.from(c.bytes);
      out.writeUInt16BE(rng.chance(0.8) ? rng.pick(ALG_IDS) : rng.u32() & 0xffff, rng.pick(at));
      return out;
    },
    5,
  ],
  "command-code": [
    (rng, c) => {
      const out = Buffer.from(c.bytes);
      out.writeUInt32BE(rng.chance(0.8) ? rng.pick(CODES) : rng.pick([0, 0x11e, 0x194, 0x20000000, rng.u32()]) >>> 0, 6);
      return out;
    },
    2,
  ],
  tag: [
    (rng, c) => {
      const out = Buffer.from(c.bytes);
      out.writeUInt16BE(rng.pick([TPM_ST.NO_SESSIONS, TPM_ST.SESSIONS, 0x00c1, 0, 0x8000, rng.u32() & 0xffff]), 0);
      return out;
    },
    1,
  ],
  "random-body": [
    (rng, c) => setSize(Buffer.concat([c.bytes.subarray(0, 10), rng.bytes(rng.int(Math.max(8, c.bytes.length)))])),
    2,
  ],
  "random-bytes": [(rng) => rng.bytes(rng.int(64)), 1],
};

const TABLE = Object.entries(MUTATORS).map(([kind, [f, w]]) => [[kind, f], w] as const);

/** One or two mutations of `c`; never returns the command unchanged unless every mutator declined. */
export function mutate(rng: Rng, c: BuiltCommand, model: Model): Mutation {
  let current = c;
  const kinds: string[] = [];
  const rounds = rng.chance(0.2) ? 2 : 1;
  for (let round = 0; round < rounds; round++) {
    for (let attempt = 0; attempt < 8; attempt++) {
      const [kind, f] = rng.weighted(TABLE);
      let bytes: Buffer | undefined;
      try {
        bytes = f(rng, current, model);
      } catch (e) {
        // a second round may aim at a layout offset the first round cut off
        if (e instanceof RangeError) continue;
        throw e;
      }
      if (!bytes) continue;
      kinds.push(kind);
      current = { ...current, bytes };
      break;
    }
  }
  return { kind: kinds.join("+") || "none", bytes: current.bytes };
}
