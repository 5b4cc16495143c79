/**
 * The TPM2B_PRIVATE of an ordinary object (Part 1 §23, outer wrap under the parent): the marshalled TPM2B_SENSITIVE,
 * encrypted with the parent's symmetric algorithm in CFB mode under
 * symKey = KDFa(pNameAlg, parent seedValue, "STORAGE", Name, ε) with a zero IV, preceded by the integrity value
 * HMAC_pNameAlg(KDFa(pNameAlg, parent seedValue, "INTEGRITY", ε, ε), encSensitive || Name) as a TPM2B_DIGEST.
 * Binding the Name makes a private area load only with its own public area.
 */
import { timingSafeEqual } from "node:crypto";
import {
  Reader,
  TPM2B_DIGEST,
  TPMT_SENSITIVE,
  TPM_ALG,
  TPM_RC,
  TpmError,
  aesCfbDecrypt,
  aesCfbEncrypt,
  digestSize,
  hmac,
  kdfa,
  marshal,
  unmarshal,
} from "../tpm2/index.js";
import { parentSymDef } from "./object-create.js";
import type { TpmObject } from "./objects.js";

const EMPTY = Buffer.alloc(0);
/** CFB with a zero IV is safe here: every object has its own key, derived from its Name. */
const ZERO_IV = Buffer.alloc(16);

interface ProtectionKeys {
  symKey: Buffer;
  hmacKey: Buffer;
  hashAlg: number;
}

/** The integrity key depends on the parent alone: kept per parent seedValue (a parent reloaded gets a new one). */
const hmacKeys = new WeakMap<Uint8Array, { hashAlg: number; key: Buffer }>();

function integrityKey(hashAlg: number, seed: Uint8Array): Buffer {
  const known = hmacKeys.get(seed);
  if (known?.hashAlg === hashAlg) return known.key;
  const key = kdfa(hashAlg, seed, "INTEGRITY", EMPTY, EMPTY, digestSize(hashAlg) * 8);
  hmacKeys.set(seed, { hashAlg, key });
  return key;
}

function protectionKeys(parent: TpmObject, name: Uint8Array): ProtectionKeys {
  const hashAlg = parent.publicArea.nameAlg;
  const seed = parent.sensitive?.seedValue ?? EMPTY;
  const sym = parentSymDef(parent);
  if (!sym || sym.algorithm !== TPM_ALG.AES || sym.keyBits === undefined) throw new TpmError(TPM_RC.TYPE);
  return {
    hashAlg,
    symKey: kdfa(hashAlg, seed, "STORAGE", name, EMPTY, sym.keyBits),
    hmacKey: integrityKey(hashAlg, seed),
  };
}

/** Wraps `sensitive` for storage outside the TPM under `parent` (a loaded storage parent). */
export function wrapPrivate(parent: TpmObject, name: Uint8Array, sensitive: TPMT_SENSITIVE): Buffer {
  const keys = protectionKeys(parent, name);
  const body = marshal(TPMT_SENSITIVE, sensitive);
  const size = Buffer.alloc(2);
  size.writeUInt16BE(body.length);
  const encrypted = aesCfbEncrypt(keys.symKey, ZERO_IV, Buffer.concat([size, body]));
  const integrity = hmac(keys.hashAlg, keys.hmacKey, encrypted, name);
  return Buffer.concat([marshal(TPM2B_DIGEST, integrity), encrypted]);
}

/**
 * Checks and opens a TPM2B_PRIVATE made by {@link wrapPrivate} for the object named `name`.
 * @throws TpmError TPM_RC_INTEGRITY (tampered, other parent, or other public area), TPM_RC_SENSITIVE (the
 *   decrypted area is not one TPM2B_SENSITIVE), TPM_RC_INSUFFICIENT / TPM_RC_SIZE (no integrity value); no
 *   parameter number: the caller adds it.
 */
export function unwrapPrivate(parent: TpmObject, name: Uint8Array, inPrivate: Uint8Array): TPMT_SENSITIVE {
  const keys = protectionKeys(parent, name);
  const r = new Reader(inPrivate);
  const integrity = TPM2B_DIGEST.read(r);
  const encrypted = inPrivate.subarray(r.offset);
  const expected = hmac(keys.hashAlg, keys.hmacKey, encrypted, name);
  if (integrity.length !== expected.length || !timingSafeEqual(integrity, expected)) {
    throw new TpmError(TPM_RC.INTEGRITY, { field: "inPrivate" });
  }
  const plain = aesCfbDecrypt(keys.symKey, ZERO_IV, encrypted);
  if (plain.length < 2 || plain.readUInt16BE(0) !== plain.length - 2) throw new TpmError(TPM_RC.SENSITIVE);
  try {
    return unmarshal(TPMT_SENSITIVE, plain.subarray(2));
  } catch {
    throw new TpmError(TPM_RC.SENSITIVE);
  }
}
