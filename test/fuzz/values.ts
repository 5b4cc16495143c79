/**
 * Plausible parameter values, chosen by the parameter's schema name and field name, then marshalled by the
 * schema itself. A schema the table does not know (a structure added after this file) still gets bytes: random
 * candidates are tried until the schema's own validating reader accepts one.
 */
import {
  COMMANDS,
  TPM_ALG,
  TPM_ECC_CURVE,
  TPM_RH,
  TPM_ST,
  TPMA_NV,
  TPMT_PUBLIC,
  TPMA_OBJECT,
  akTemplate,
  ekTemplateEcc,
  ekTemplateRsa,
  marshal,
  srkTemplate,
  unmarshal,
  type Schema,
} from "../../tpm2/index.js";
import { AUTH_CANDIDATES, HIERARCHIES, type Model } from "./model.js";
import type { Rng } from "./rng.js";

export interface FieldContext {
  rng: Rng;
  model: Model;
  command: string;
  field: string;
  handles: readonly number[];
}

const A = TPM_ALG;
const EMPTY: Buffer = Buffer.alloc(0);
const HASHES = [A.SHA1, A.SHA256, A.SHA384, A.SHA512];
const DIGEST_SIZE: Record<number, number> = { [A.SHA1]: 20, [A.SHA256]: 32, [A.SHA384]: 48, [A.SHA512]: 64 };
const NO_SYM = { algorithm: A.NULL, keyBits: undefined, mode: undefined };
const AES128_CFB = { algorithm: A.AES, keyBits: 128, mode: A.CFB };
const NULL_SCHEME = { scheme: A.NULL, details: undefined };
const BASE = TPMA_OBJECT.fixedTPM | TPMA_OBJECT.fixedParent | TPMA_OBJECT.userWithAuth | TPMA_OBJECT.noDA;
const COMMAND_CODES = Object.values(COMMANDS).map((c) => c.code);

/** Parameter names that take the same value a response field of another name returned. */
const POOL_ALIASES: Record<string, string> = {
  inPrivate: "outPrivate",
  inPublic: "outPublic",
  objectName: "name",
  credential: "certInfo",
  digest: "outHash",
};

function eccTemplate(rng: Rng, kind: "signing" | "storage" | "decrypt", sensitiveDataOrigin = true): TPMT_PUBLIC {
  const curveID = rng.chance(0.8) ? TPM_ECC_CURVE.NIST_P256 : TPM_ECC_CURVE.NIST_P384;
  const origin = sensitiveDataOrigin ? TPMA_OBJECT.sensitiveDataOrigin : 0;
  const attrs =
    kind === "storage"
      ? BASE | origin | TPMA_OBJECT.restricted | TPMA_OBJECT.decrypt
      : kind === "decrypt"
        ? BASE | origin | TPMA_OBJECT.decrypt
        : BASE | origin | TPMA_OBJECT.sign | (rng.chance(0.4) ? TPMA_OBJECT.restricted : 0);
  const restrictedSign = kind === "signing" && attrs & TPMA_OBJECT.restricted;
  return {
    type: A.ECC,
    nameAlg: rng.chance(0.8) ? A.SHA256 : rng.pick(HASHES),
    objectAttributes: attrs,
    authPolicy: EMPTY,
    parameters: {
      symmetric: kind === "storage" ? AES128_CFB : NO_SYM,
      scheme:
        kind === "storage"
          ? NULL_SCHEME
          : kind === "decrypt"
            ? rng.pick([NULL_SCHEME, { scheme: A.ECDH, details: { hashAlg: A.SHA256 } }])
            : restrictedSign || rng.chance(0.5)
              ? { scheme: A.ECDSA, details: { hashAlg: rng.pick(HASHES) } }
              : NULL_SCHEME,
      curveID,
      kdf: NULL_SCHEME,
    },
    unique: { x: EMPTY, y: EMPTY },
  };
}

function keyedHashTemplate(rng: Rng, sealed: boolean): TPMT_PUBLIC {
  return {
    type: A.KEYEDHASH,
    nameAlg: A.SHA256,
    objectAttributes: sealed ? BASE : BASE | TPMA_OBJECT.sensitiveDataOrigin | TPMA_OBJECT.sign,
    authPolicy: EMPTY,
    parameters: { scheme: sealed ? NULL_SCHEME : { scheme: A.HMAC, details: { hashAlg: rng.pick(HASHES) } } },
    unique: EMPTY,
  };
}

function symTemplate(rng: Rng): TPMT_PUBLIC {
  return {
    type: A.SYMCIPHER,
    nameAlg: A.SHA256,
    objectAttributes: BASE | TPMA_OBJECT.sensitiveDataOrigin | TPMA_OBJECT.decrypt | TPMA_OBJECT.sign,
    authPolicy: EMPTY,
    parameters: { sym: { algorithm: A.AES, keyBits: rng.pick([128, 256]), mode: rng.pick([A.CFB, A.CBC, A.NULL]) } },
    unique: EMPTY,
  };
}

/**
 * A key template. RSA only where its key is derived once and cached (the fixed templates of a primary in a
 * persistent hierarchy) or small, because RSA key generation dominates any run that does it often.
 */
export function template(ctx: FieldContext): TPMT_PUBLIC {
  const { rng } = ctx;
  const primary = ctx.command === "CreatePrimary";
  const persistentHierarchy = ctx.handles[0] === TPM_RH.OWNER || ctx.handles[0] === TPM_RH.ENDORSEMENT;
  return rng.weighted<() => TPMT_PUBLIC>([
    [() => eccTemplate(rng, "signing"), 5],
    [() => eccTemplate(rng, "storage"), primary ? 5 : 2],
    [() => eccTemplate(rng, "decrypt"), 1],
    [() => keyedHashTemplate(rng, false), 2],
    [() => keyedHashTemplate(rng, true), primary ? 0 : 2],
    [() => symTemplate(rng), 1],
    [() => akTemplate("ecc"), 2],
    [() => srkTemplate("ecc"), 2],
    [() => ekTemplateEcc(), 1],
    [() => rng.pick([srkTemplate("rsa"), akTemplate("rsa"), ekTemplateRsa()]), primary && persistentHierarchy ? 1 : 0],
    [
      () => ({
        type: A.RSA,
        nameAlg: A.SHA256,
        objectAttributes: BASE | TPMA_OBJECT.sensitiveDataOrigin | TPMA_OBJECT.sign,
        authPolicy: EMPTY,
        parameters: { symmetric: NO_SYM, scheme: NULL_SCHEME, keyBits: 1024, exponent: 0 },
        unique: EMPTY,
      }),
      primary ? 0 : 0.05,
    ],
  ])();
}

function digestBytes(rng: Rng): Buffer {
  return rng.bytes(DIGEST_SIZE[rng.chance(0.7) ? A.SHA256 : rng.pick(HASHES)]!);
}

function smallBytes(rng: Rng, max = 48): Buffer {
  return rng.bytes(rng.chance(0.2) ? 0 : rng.int(max + 1));
}

function pcrSelect(rng: Rng): Buffer {
  return Buffer.from([rng.int(256), rng.int(256), rng.int(256)]);
}

function pcrSelection(rng: Rng) {
  if (rng.chance(0.2)) return [];
  const banks = rng.chance(0.8) ? [A.SHA256] : [A.SHA1, A.SHA256];
  return banks.map((hash) => ({ hash, pcrSelect: pcrSelect(rng) }));
}

function liveHandle(ctx: FieldContext): number {
  const { rng, model } = ctx;
  const all = [...model.objects.keys(), ...model.sessions.keys()];
  return all.length > 0 && rng.chance(0.9) ? rng.pick(all) : rng.interesting32();
}

function uint32(ctx: FieldContext): number {
  const { rng, field } = ctx;
  switch (field) {
    case "hierarchy":
      return rng.chance(0.9) ? rng.pick(HIERARCHIES) : rng.interesting32();
    case "code":
      return rng.pick(COMMAND_CODES);
    case "capability":
      return rng.chance(0.9) ? rng.int(10) : rng.interesting32();
    case "property":
      return rng.pick([0, 1, 0x100, 0x200, 0x80000000, 0x81000000, 0x01000000, 0x02000000, 0x03000000, 0x40000000, rng.u32()]);
    case "propertyCount":
      return rng.pick([1, 8, 64, 256, 1000, 0, rng.u32()]);
    case "flushHandle":
      return liveHandle(ctx);
    case "persistentHandle":
      return rng.chance(0.9) ? rng.pick([0x81000000, 0x81000001, 0x81010001, 0x81800000]) + rng.int(3) : rng.interesting32();
    default:
      return rng.interesting32();
  }
}

function uint16(ctx: FieldContext): number {
  const { rng, field } = ctx;
  switch (field) {
    case "startupType":
    case "shutdownType":
      return rng.chance(0.9) ? rng.int(2) : rng.interesting16();
    case "bytesRequested":
      return rng.chance(0.9) ? rng.int(65) : rng.interesting16();
    case "size":
      return rng.chance(0.8) ? rng.int(65) : rng.interesting16();
    case "offset":
      return rng.chance(0.8) ? rng.int(16) : rng.interesting16();
    default:
      return rng.interesting16();
  }
}

function tpm2bDigest(ctx: FieldContext): Buffer {
  const { rng, model, field } = ctx;
  switch (field) {
    case "nonceCaller":
      return rng.bytes(rng.pick([16, 20, 32, 32, 48, 64]));
    case "newAuth":
    case "auth":
    case "userAuth":
      return rng.chance(0.95) ? rng.pick(AUTH_CANDIDATES) : smallBytes(rng, 64);
    case "nonceTPM": {
      const s = [...model.sessions.values()];
      return s.length > 0 && rng.chance(0.5) ? rng.pick(s).nonceTPM : EMPTY;
    }
    case "cpHashA":
    case "policyRef":
      return rng.chance(0.8) ? EMPTY : digestBytes(rng);
    case "pcrDigest":
      return rng.chance(0.6) ? EMPTY : digestBytes(rng);
    default:
      return rng.chance(0.8) ? digestBytes(rng) : smallBytes(rng, 64);
  }
}

type Generator = (ctx: FieldContext) => unknown;

/** Value generators by schema name (the Part 2 type name each schema carries). */
const GENERATORS: Record<string, Generator> = {
  UINT8: ({ rng, field }) => (field === "sessionType" ? rng.pick([0, 1, 3, 0, 1, rng.int(256)]) : rng.int(256)),
  UINT16: uint16,
  UINT32: uint32,
  INT32: ({ rng }) => rng.pick([0, 0, -1, 1, 100, -100, 0x7fffffff, -0x80000000]),
  TPMI_YES_NO: ({ rng }) => rng.chance(0.5),
  TPM2B_DIGEST: tpm2bDigest,
  TPM2B_DATA: ({ rng }) => smallBytes(rng, 64),
  TPM2B_MAX_BUFFER: ({ rng }) => rng.bytes(rng.chance(0.95) ? rng.int(65) : rng.int(1025)),
  TPM2B_EVENT: ({ rng }) => rng.bytes(rng.chance(0.95) ? rng.int(65) : rng.int(1025)),
  TPM2B_MAX_NV_BUFFER: ({ rng }) => rng.bytes(rng.chance(0.95) ? rng.int(40) : rng.int(1025)),
  TPM2B_SENSITIVE_DATA: ({ rng }) => smallBytes(rng, 32),
  TPM2B_ENCRYPTED_SECRET: ({ rng }) => smallBytes(rng, 70),
  TPM2B_NAME: ({ rng }) => Buffer.concat([Buffer.from([0, A.SHA256]), rng.bytes(32)]),
  TPM2B_PRIVATE: ({ rng }) => smallBytes(rng, 200),
  TPM2B_ID_OBJECT: ({ rng }) => smallBytes(rng, 100),
  TPM2B_SENSITIVE: () => undefined,
  TPMI_ALG_HASH: ({ rng }) => (rng.chance(0.95) ? rng.pick([A.SHA256, A.SHA256, A.SHA1, A.SHA384, A.SHA512]) : rng.pick([A.NULL, A.SHA3_256, 0])),
  TPMT_SYM_DEF: ({ rng }) =>
    rng.weighted<unknown>([
      [NO_SYM, 6],
      [AES128_CFB, 3],
      [{ algorithm: A.AES, keyBits: 256, mode: A.CFB }, 1],
      [{ algorithm: A.XOR, keyBits: A.SHA256, mode: undefined }, 1],
    ]),
  TPM2B_SENSITIVE_CREATE: (ctx) => ({
    userAuth: ctx.rng.pick(AUTH_CANDIDATES),
    data: ctx.rng.chance(0.8) ? EMPTY : ctx.rng.bytes(ctx.rng.range(1, 32)),
  }),
  TPM2B_PUBLIC: template,
  TPMT_PUBLIC_PARMS: (ctx) => {
    const t = template({ ...ctx, command: "Create" });
    return { type: t.type, parameters: t.parameters };
  },
  TPML_PCR_SELECTION: ({ rng }) => pcrSelection(rng),
  TPMT_SIG_SCHEME: ({ rng }) =>
    rng.weighted<unknown>([
      [NULL_SCHEME, 4],
      [{ scheme: A.ECDSA, details: { hashAlg: rng.pick(HASHES) } }, 3],
      [{ scheme: A.RSASSA, details: { hashAlg: A.SHA256 } }, 1],
      [{ scheme: A.RSAPSS, details: { hashAlg: A.SHA256 } }, 1],
      [{ scheme: A.HMAC, details: { hashAlg: A.SHA256 } }, 1],
    ]),
  TPMT_TK_CREATION: ({ rng }) => ({ tag: TPM_ST.CREATION, hierarchy: rng.pick(HIERARCHIES), digest: rng.chance(0.5) ? EMPTY : digestBytes(rng) }),
  TPMT_TK_HASHCHECK: ({ rng }) => ({ tag: TPM_ST.HASHCHECK, hierarchy: rng.pick(HIERARCHIES), digest: rng.chance(0.7) ? EMPTY : digestBytes(rng) }),
  TPMT_SIGNATURE: ({ rng }) =>
    rng.weighted<unknown>([
      [{ sigAlg: A.ECDSA, signature: { hash: A.SHA256, signatureR: rng.bytes(32), signatureS: rng.bytes(32) } }, 3],
      [{ sigAlg: A.RSASSA, signature: { hash: A.SHA256, sig: rng.bytes(rng.pick([128, 256])) } }, 1],
      [{ sigAlg: A.HMAC, signature: { hashAlg: A.SHA256, digest: rng.bytes(32) } }, 1],
      [{ sigAlg: A.NULL, signature: undefined }, 1],
    ]),
  TPML_DIGEST_VALUES: ({ rng }) =>
    rng.weighted<unknown>([
      [[{ hashAlg: A.SHA256, digest: rng.bytes(32) }], 5],
      [[{ hashAlg: A.SHA1, digest: rng.bytes(20) }, { hashAlg: A.SHA256, digest: rng.bytes(32) }], 2],
      [[], 1],
      [[{ hashAlg: A.SHA384, digest: rng.bytes(48) }], 1],
    ]),
  TPMS_CONTEXT: ({ rng }) => ({ sequence: BigInt(rng.int(8)), savedHandle: 0x80000000 + rng.int(4), hierarchy: rng.pick(HIERARCHIES), contextBlob: smallBytes(rng, 200) }),
  TPM2B_NV_PUBLIC: ({ rng }) => ({
    nvIndex: 0x01500000 + rng.int(8),
    nameAlg: rng.chance(0.9) ? A.SHA256 : A.SHA1,
    attributes: rng.weighted([
      [TPMA_NV.OWNERREAD | TPMA_NV.OWNERWRITE | TPMA_NV.AUTHREAD | TPMA_NV.AUTHWRITE | TPMA_NV.NO_DA, 6],
      [TPMA_NV.AUTHREAD | TPMA_NV.AUTHWRITE | TPMA_NV.NO_DA | TPMA_NV.WRITEALL, 2],
      [TPMA_NV.PPREAD | TPMA_NV.PPWRITE | TPMA_NV.OWNERREAD | TPMA_NV.AUTHREAD | TPMA_NV.NO_DA | TPMA_NV.PLATFORMCREATE, 1],
      [TPMA_NV.AUTHREAD | TPMA_NV.AUTHWRITE | TPMA_NV.WRITEDEFINE | TPMA_NV.READ_STCLEAR, 1],
      // counter, bit field and extend indices (TPM_NT 1, 2, 4 in bits 4–7)
      [TPMA_NV.OWNERREAD | TPMA_NV.OWNERWRITE | TPMA_NV.AUTHREAD | TPMA_NV.AUTHWRITE | TPMA_NV.NO_DA | (rng.pick([1, 2, 4]) << 4), 3],
      [rng.u32() & ~0x01f00300, 1],
    ]),
    authPolicy: EMPTY,
    dataSize: rng.chance(0.3) ? 8 : rng.chance(0.9) ? rng.range(1, 64) : rng.interesting16(),
  }),
  TPM2B_ECC_POINT: ({ rng, model }) => {
    const points = model
      .recall("outPublic")
      .filter((p): p is TPMT_PUBLIC => (p as TPMT_PUBLIC).type === A.ECC)
      .map((p) => p.unique);
    return points.length > 0 && rng.chance(0.8) ? rng.pick(points) : { x: rng.bytes(32), y: rng.bytes(32) };
  },
  TPM2B_IV: ({ rng }) => rng.bytes(rng.chance(0.8) ? 16 : rng.int(17)),
  TPM2B_PUBLIC_KEY_RSA: ({ rng }) => rng.bytes(rng.pick([0, 16, 128, 256])),
  TPMI_ALG_SYM_MODE: ({ rng }) => rng.pick([A.CFB, A.CBC, A.CTR, A.OFB, A.ECB, A.NULL]),
  TPMI_RH_ENABLES: ({ rng }) => rng.pick([TPM_RH.OWNER, TPM_RH.ENDORSEMENT, TPM_RH.PLATFORM, TPM_RH.PLATFORM_NV]),
  TPML_ALG: ({ rng }) => rng.pick([[], [A.SHA256], [A.SHA256, A.AES, A.ECC]]),
  TPML_CC: ({ rng }) => (rng.chance(0.3) ? [] : [rng.pick(COMMAND_CODES), rng.pick(COMMAND_CODES)]),
  TPML_DIGEST: ({ rng }) => Array.from({ length: rng.pick([0, 1, 2, 3, 8]) }, () => digestBytes(rng)),
  TPM2B_TEMPLATE: (ctx) => marshal(TPMT_PUBLIC, template({ ...ctx, command: "Create" })),
  TPM2B_TIMEOUT: ({ rng }) => rng.bytes(rng.pick([0, 8])),
  TPMT_RSA_DECRYPT: ({ rng }) =>
    rng.pick<unknown>([NULL_SCHEME, { scheme: A.RSAES, details: undefined }, { scheme: A.OAEP, details: { hashAlg: A.SHA256 } }]),
  TPMT_SYM_DEF_OBJECT: ({ rng }) => rng.pick<unknown>([NO_SYM, AES128_CFB]),
  TPMT_TK_AUTH: ({ rng }) => ({ tag: TPM_ST.AUTH_SECRET, hierarchy: rng.pick(HIERARCHIES), digest: rng.chance(0.5) ? EMPTY : digestBytes(rng) }),
  TPMT_TK_VERIFIED: ({ rng }) => ({ tag: TPM_ST.VERIFIED, hierarchy: rng.pick(HIERARCHIES), digest: rng.chance(0.5) ? EMPTY : digestBytes(rng) }),
  TPM_EO: ({ rng }) => rng.int(12),
  UINT64: ({ rng }) => BigInt(rng.interesting32()),
};

/** Byte strings the probe found acceptable, per schema, so unknown schemas cost a search only now and then. */
const PROBED = new WeakMap<Schema<unknown>, Buffer[]>();

function tryMarshal(schema: Schema<unknown>, value: unknown): Buffer | undefined {
  try {
    return marshal(schema, value);
  } catch {
    return undefined;
  }
}

/** Bytes the schema's own reader accepts, found by trying shaped random candidates; random bytes if none is found. */
function probe(schema: Schema<unknown>, rng: Rng): Buffer {
  const found = PROBED.get(schema) ?? [];
  PROBED.set(schema, found);
  if (found.length >= 4 && rng.chance(0.97)) return rng.pick(found);
  for (let i = 0; i < 16; i++) {
    const candidate = rng.weighted<() => Buffer>([
      [() => Buffer.alloc(rng.pick([0, 1, 2, 4, 8])), 2],
      [() => Buffer.concat([Buffer.from([0, rng.int(48)]), rng.bytes(48)]), 2],
      [() => rng.bytes(rng.int(24)), 3],
    ])();
    for (let end = 0; end <= candidate.length; end++) {
      const slice = candidate.subarray(0, end);
      try {
        unmarshal(schema, slice);
        if (found.length < 16) found.push(Buffer.from(slice));
        return Buffer.from(slice);
      } catch {
        // keep looking for a prefix the schema accepts
      }
    }
  }
  return rng.bytes(rng.int(16));
}

/** The wire bytes of one parameter: a harvested value sometimes, else a generated one. */
export function generateField(schema: Schema<unknown>, ctx: FieldContext): Buffer {
  const { rng, model, field } = ctx;
  const pooled = model.recall(POOL_ALIASES[field] ?? field);
  if (pooled.length > 0 && rng.chance(0.6)) {
    const bytes = tryMarshal(schema, rng.pick(pooled));
    if (bytes) return bytes;
  }
  const gen = GENERATORS[schema.name];
  if (gen) {
    const bytes = tryMarshal(schema, gen(ctx));
    if (bytes) return bytes;
  }
  return probe(schema, rng);
}
