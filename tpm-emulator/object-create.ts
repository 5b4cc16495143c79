/**
 * Object creation (Part 1 §27, Part 3 §12.1 / §24.1): the template checks of the reference implementation
 * (CreateChecks, PublicAttributesValidation, SchemeChecks) with its response codes, key generation for ordinary
 * objects, and derivation of primary objects from a hierarchy seed.
 */
import { createHash, generateKeyPairSync, type KeyObject } from "node:crypto";
import {
  TPMA_OBJECT,
  TPMT_PUBLIC,
  TPM_ALG,
  TPM_RC,
  TPM_RH,
  TpmError,
  digestSizeOf,
  eccCurveInfo,
  ecdhContext,
  fixedLength,
  hashDigest,
  hashInfo,
  hmac,
  marshal,
  rsaKeyPairFromPrimes,
  rsaModulusFromKey,
  rsaPrimeFromKey,
  type TPMS_ECC_PARMS,
  type TPMS_KEYEDHASH_PARMS,
  type TPMS_RSA_PARMS,
  type TPMS_SYMCIPHER_PARMS,
  type TPMT_SENSITIVE,
  type TPMT_SYM_DEF_OBJECT,
} from "../tpm2/index.js";
import { deriveEccKey, deriveRocaRsaKey, deriveRsaPrimeKey, deriveSeedValue, deriveSymmetricSeed } from "./crypto/index.js";
import { hasFault } from "./faults.js";
import { handleName, makeObject, type TpmObject } from "./objects.js";
import type { DerivedRsaKeyRecord } from "./state.js";
import type { Tpm } from "./tpm.js";

const O = TPMA_OBJECT;
const A = TPM_ALG;
const EMPTY = Buffer.alloc(0);

/** TPMS_SENSITIVE_CREATE: the caller's authValue and, for data objects and symmetric keys, the secret. */
export interface SensitiveCreate {
  userAuth: Uint8Array;
  data: Uint8Array;
}

const NO_SENSITIVE: SensitiveCreate = { userAuth: EMPTY, data: EMPTY };

/** RSA public exponent 0 stands for (Part 2 TPMS_RSA_PARMS). */
const DEFAULT_EXPONENT = 65537;
/** Derived primary keys kept for repeated CreatePrimary of one template (RSA derivation costs tens of ms). */
const PRIMARY_CACHE_SIZE = 16;
/** Block modes a SYMCIPHER decryption key may name (CryptSymModeIsValid with TPM_ALG_NULL allowed). */
const BLOCK_MODES: ReadonlySet<number> = new Set([A.CTR, A.OFB, A.CBC, A.CFB, A.ECB, A.NULL]);

function has(attributes: number, bit: number): boolean {
  return (attributes & bit) !== 0;
}

// ---------------------------------------------------------------------------------------------------------------
// What kind of object a loaded object is (ms-tpm-20-ref OBJECT.attributes)

const stClearByParent = new WeakSet<TpmObject>();

/** Loaded by TPM2_LoadExternal: its qualified name is its Name (Part 1 §26.5, ObjectSetLoadedAttributes). */
export function isExternal(object: TpmObject): boolean {
  return Buffer.compare(object.qualifiedName, object.name) === 0;
}

/** Objects that may never be persistent: in the null hierarchy, or external (ms-tpm-20-ref `temporary`). */
export function isTemporary(object: TpmObject): boolean {
  return object.hierarchy === TPM_RH.NULL || isExternal(object);
}

/** stClear, set in the object or inherited from an stClear ancestor (ms-tpm-20-ref ObjectSetLoadedAttributes). */
export function isStClear(object: TpmObject): boolean {
  return has(object.publicArea.objectAttributes, O.stClear) || stClearByParent.has(object);
}

/** Records that `object` has an stClear ancestor, so it behaves as stClear itself. */
export function markStClear(object: TpmObject): void {
  stClearByParent.add(object);
}

/**
 * An ordinary storage parent: a loaded restricted decryption key with a sensitive area and a nameAlg, not a
 * derivation parent (KEYEDHASH) and not external (ms-tpm-20-ref ObjectSetLoadedAttributes: isParent).
 */
export function isParent(object: TpmObject): boolean {
  const { type, nameAlg, objectAttributes } = object.publicArea;
  return (
    has(objectAttributes, O.restricted) &&
    has(objectAttributes, O.decrypt) &&
    object.sensitive !== undefined &&
    nameAlg !== A.NULL &&
    type !== A.KEYEDHASH &&
    !isExternal(object)
  );
}

/** The proof of a hierarchy; anything but owner, endorsement and platform uses the null proof (HierarchyGetProof). */
export function hierarchyProof(tpm: Tpm, hierarchy: number): Uint8Array {
  if (hierarchy === TPM_RH.NULL) return tpm.nullHierarchy.proof;
  return tpm.hierarchy(hierarchy)?.record.proof ?? tpm.nullHierarchy.proof;
}

// ---------------------------------------------------------------------------------------------------------------
// Template checks (ms-tpm-20-ref Object_spt.c). Errors carry no parameter number: the caller adds it.

/**
 * AdjustAuthSize: the authValue with trailing zeros removed may not exceed the nameAlg digest; it is then
 * padded with zeros to the digest size. @throws TpmError TPM_RC_SIZE
 */
export function adjustAuthSize(auth: Uint8Array, nameAlg: number): Buffer {
  const size = nameAlg === A.NULL ? 64 : digestSizeOf(nameAlg);
  let end = auth.length;
  while (end > 0 && auth[end - 1] === 0) end--;
  if (end > size) throw new TpmError(TPM_RC.SIZE, { field: "userAuth" });
  const out = Buffer.alloc(size);
  out.set(auth.subarray(0, end));
  return out;
}

function sameSymDef(a: TPMT_SYM_DEF_OBJECT, b: TPMT_SYM_DEF_OBJECT): boolean {
  return a.algorithm === b.algorithm && a.keyBits === b.keyBits && a.mode === b.mode;
}

function isAsymSignScheme(type: number, scheme: number): boolean {
  return type === A.RSA ? scheme === A.RSASSA || scheme === A.RSAPSS : scheme === A.ECDSA || scheme === A.ECDAA;
}

function isAsymDecryptScheme(type: number, scheme: number): boolean {
  return type === A.RSA ? scheme === A.RSAES || scheme === A.OAEP : scheme === A.ECDH;
}

/** The symmetric algorithm a parent protects its children with (undefined for a KEYEDHASH). */
export function parentSymDef(parent: TpmObject): TPMT_SYM_DEF_OBJECT | undefined {
  const { type, parameters } = parent.publicArea;
  if (type === A.SYMCIPHER) return (parameters as TPMS_SYMCIPHER_PARMS).sym;
  if (type === A.RSA || type === A.ECC) return (parameters as TPMS_RSA_PARMS | TPMS_ECC_PARMS).symmetric;
  return undefined;
}

function checkKeyedHashScheme(pub: TPMT_PUBLIC): void {
  const attrs = pub.objectAttributes;
  const { scheme } = (pub.parameters as TPMS_KEYEDHASH_PARMS).scheme;
  if (has(attrs, O.sign) === has(attrs, O.decrypt)) {
    if (scheme !== A.NULL) throw new TpmError(TPM_RC.SCHEME);
  } else if (has(attrs, O.sign)) {
    if (scheme !== A.HMAC) throw new TpmError(TPM_RC.SCHEME);
  } else {
    if (scheme !== A.XOR) throw new TpmError(TPM_RC.SCHEME);
    if (has(attrs, O.restricted)) {
      // a derivation parent: SP800-108 is the only KDF the reference implements
      const details = (pub.parameters as TPMS_KEYEDHASH_PARMS).scheme.details as { hashAlg: number; kdf: number };
      if (details.kdf !== A.KDF1_SP800_108) throw new TpmError(TPM_RC.SCHEME);
      if (digestSizeOf(details.hashAlg) === 0) throw new TpmError(TPM_RC.HASH);
    }
  }
}

function checkAsymScheme(pub: TPMT_PUBLIC): void {
  const attrs = pub.objectAttributes;
  const parms = pub.parameters as TPMS_RSA_PARMS | TPMS_ECC_PARMS;
  const { scheme } = parms.scheme;
  if (has(attrs, O.sign) === has(attrs, O.decrypt)) {
    // no way to name both a signing and a decryption scheme
    if (scheme !== A.NULL) throw new TpmError(TPM_RC.SCHEME);
  } else if (has(attrs, O.sign)) {
    if (isAsymSignScheme(pub.type, scheme)) {
      if ((parms.scheme.details as { hashAlg: number }).hashAlg === A.NULL) throw new TpmError(TPM_RC.SCHEME);
    } else if (has(attrs, O.restricted) || scheme !== A.NULL) {
      throw new TpmError(TPM_RC.SCHEME);
    }
  } else if (has(attrs, O.restricted)) {
    if (scheme !== A.NULL) throw new TpmError(TPM_RC.SCHEME);
  } else if (scheme !== A.NULL && !isAsymDecryptScheme(pub.type, scheme)) {
    throw new TpmError(TPM_RC.SCHEME);
  }
  // only a parent carries a symmetric algorithm
  if ((!has(attrs, O.restricted) || !has(attrs, O.decrypt)) && parms.symmetric.algorithm !== A.NULL) {
    throw new TpmError(TPM_RC.SYMMETRIC);
  }
  if (pub.type === A.ECC && (parms as TPMS_ECC_PARMS).kdf.scheme !== A.NULL) throw new TpmError(TPM_RC.KDF);
}

/**
 * SchemeChecks (ms-tpm-20-ref Object_spt.c): schemes consistent with sign/decrypt/restricted, symmetric
 * algorithms only on parents, and a non-duplicable parent sharing its parent's nameAlg and symmetric algorithm.
 * @throws TpmError TPM_RC_SCHEME, TPM_RC_SYMMETRIC, TPM_RC_HASH, TPM_RC_KDF
 */
export function schemeChecks(parent: TpmObject | undefined, pub: TPMT_PUBLIC): void {
  const attrs = pub.objectAttributes;
  let symmetric: TPMT_SYM_DEF_OBJECT | undefined;
  switch (pub.type) {
    case A.SYMCIPHER: {
      symmetric = (pub.parameters as TPMS_SYMCIPHER_PARMS).sym;
      if (has(attrs, O.decrypt) && !BLOCK_MODES.has(symmetric.mode ?? A.NULL)) throw new TpmError(TPM_RC.SCHEME);
      break;
    }
    case A.KEYEDHASH:
      checkKeyedHashScheme(pub);
      break;
    default:
      checkAsymScheme(pub);
      symmetric = (pub.parameters as TPMS_RSA_PARMS | TPMS_ECC_PARMS).symmetric;
  }
  // Part 1 §27: an ordinary parent names the symmetric algorithm that protects its children
  if (symmetric && has(attrs, O.restricted) && has(attrs, O.decrypt)) {
    if (symmetric.algorithm === A.NULL) throw new TpmError(TPM_RC.SYMMETRIC);
    if (has(attrs, O.fixedParent) && parent) {
      if (pub.nameAlg !== parent.publicArea.nameAlg) throw new TpmError(TPM_RC.HASH);
      const theirs = parentSymDef(parent);
      if (!theirs || !sameSymDef(symmetric, theirs)) throw new TpmError(TPM_RC.SYMMETRIC);
    }
  }
}

/**
 * PublicAttributesValidation (Part 3 §12.1.2 / ms-tpm-20-ref): nameAlg and authPolicy size, fixedTPM/fixedParent
 * against the parent, sign/decrypt/restricted combinations, encryptedDuplication, then {@link schemeChecks}.
 * @param parent undefined for a primary object (the seed counts as a fixedTPM parent).
 * @throws TpmError TPM_RC_HASH, TPM_RC_SIZE, TPM_RC_ATTRIBUTES and those of schemeChecks
 */
export function publicAttributesValidation(parent: TpmObject | undefined, pub: TPMT_PUBLIC): void {
  const attrs = pub.objectAttributes;
  const parentAttrs = parent?.publicArea.objectAttributes ?? 0;
  if (pub.nameAlg === A.NULL) throw new TpmError(TPM_RC.HASH, { field: "nameAlg" });
  if (pub.authPolicy.length !== 0 && pub.authPolicy.length !== digestSizeOf(pub.nameAlg)) {
    throw new TpmError(TPM_RC.SIZE, { field: "authPolicy" });
  }
  if (!parent || has(parentAttrs, O.fixedTPM)) {
    if (has(attrs, O.fixedParent) !== has(attrs, O.fixedTPM)) throw new TpmError(TPM_RC.ATTRIBUTES);
  } else if (has(attrs, O.fixedTPM)) {
    throw new TpmError(TPM_RC.ATTRIBUTES);
  }
  if (has(attrs, O.sign) === has(attrs, O.decrypt)) {
    if (has(attrs, O.restricted)) throw new TpmError(TPM_RC.ATTRIBUTES);
    // only a data object (KEYEDHASH) may be neither sign nor decrypt
    if (pub.type !== A.KEYEDHASH && !has(attrs, O.sign)) throw new TpmError(TPM_RC.ATTRIBUTES);
  }
  if (has(attrs, O.fixedTPM) && has(attrs, O.encryptedDuplication)) throw new TpmError(TPM_RC.ATTRIBUTES);
  if (parent && !has(parentAttrs, O.fixedTPM)) {
    if (has(attrs, O.encryptedDuplication) !== has(parentAttrs, O.encryptedDuplication)) {
      throw new TpmError(TPM_RC.ATTRIBUTES);
    }
  }
  schemeChecks(parent, pub);
}

/**
 * CreateChecks (Part 3 §12.1.2): who supplies the sensitive data (sensitiveDataOrigin), what each type allows,
 * then {@link publicAttributesValidation}.
 * @param parent undefined for a primary object.
 * @param dataSize size of TPMS_SENSITIVE_CREATE.data.
 * @throws TpmError TPM_RC_ATTRIBUTES and those of publicAttributesValidation
 */
export function createChecks(parent: TpmObject | undefined, pub: TPMT_PUBLIC, dataSize: number): void {
  const attrs = pub.objectAttributes;
  const tpmMakesData = has(attrs, O.sensitiveDataOrigin);
  if (!tpmMakesData && dataSize === 0) throw new TpmError(TPM_RC.ATTRIBUTES);
  // a primary object may take extra entropy in data; an ordinary object takes data only as its secret
  if (parent && tpmMakesData && dataSize !== 0) throw new TpmError(TPM_RC.ATTRIBUTES);
  switch (pub.type) {
    case A.KEYEDHASH:
      if (!has(attrs, O.sign) && !has(attrs, O.decrypt) && tpmMakesData) throw new TpmError(TPM_RC.ATTRIBUTES);
    // falls through: a restricted KEYEDHASH follows the SYMCIPHER rule too
    case A.SYMCIPHER:
      if (has(attrs, O.restricted) && !tpmMakesData && (has(attrs, O.fixedParent) || has(attrs, O.fixedTPM))) {
        throw new TpmError(TPM_RC.ATTRIBUTES);
      }
      break;
    default:
      if (!tpmMakesData) throw new TpmError(TPM_RC.ATTRIBUTES);
  }
  publicAttributesValidation(parent, pub);
}

// ---------------------------------------------------------------------------------------------------------------
// Key material

interface AsymmetricKey {
  publicKey: KeyObject;
  privateKey: KeyObject;
}

/** Where the randomness of a new object comes from: the RNG (Create) or the hierarchy seed (CreatePrimary). */
interface KeySource {
  rsa(keyBits: number, exponent: number): AsymmetricKey & { modulus: Buffer };
  /** The private scalar `d` and public point, at the curve's size. */
  ecc(curve: number): { d: Buffer; x: Buffer; y: Buffer };
  /** Key bits of a SYMCIPHER, the secret of a KEYEDHASH. */
  symmetric(length: number): Buffer;
  seedValue(length: number): Buffer;
}

function randomSource(tpm: Tpm): KeySource {
  return {
    rsa(keyBits, exponent) {
      const pair = generateKeyPairSync("rsa", { modulusLength: keyBits, publicExponent: exponent });
      return { ...pair, modulus: rsaModulusFromKey(pair.publicKey).modulus };
    },
    ecc(curve) {
      // raw ECDH key generation: no KeyObjects until the key is used (keys.ts builds them from the sensitive area)
      const info = eccCurveInfo(curve);
      const ecdh = ecdhContext(info);
      const point = ecdh.generateKeys();
      return {
        d: fixedLength(ecdh.getPrivateKey(), info.byteLength)!,
        x: point.subarray(1, 1 + info.byteLength),
        y: point.subarray(1 + info.byteLength),
      };
    },
    symmetric: (length) => tpm.random(length),
    seedValue: (length) => tpm.random(length),
  };
}

const primaryCache = new Map<string, AsymmetricKey & { modulus?: Buffer; d?: Buffer; x?: Buffer; y?: Buffer }>();

/** Forgets every cached primary key, so the next CreatePrimary derives again (benchmarks, tests). */
export function clearDerivedKeyCache(): void {
  primaryCache.clear();
}

function cached<T extends AsymmetricKey>(key: string, derive: () => T): T {
  const hit = primaryCache.get(key);
  if (hit) {
    primaryCache.delete(key);
    primaryCache.set(key, hit);
    return hit as T;
  }
  const value = derive();
  primaryCache.set(key, value);
  if (primaryCache.size > PRIMARY_CACHE_SIZE) primaryCache.delete(primaryCache.keys().next().value!);
  return value;
}

/** Derived RSA keys a TPM's state remembers (beyond this, the oldest is forgotten). */
const STORED_RSA_KEYS = 8;

/**
 * An RSA primary key from the TPM's own store of derived primes, else derived and remembered there. The store
 * travels with the state file, so a TPM made once at the factory never repeats its prime searches.
 */
function storedRsaKey(
  store: DerivedRsaKeyRecord[] | undefined,
  idHex: string,
  exponent: number,
  derive: () => AsymmetricKey & { modulus: Buffer },
): AsymmetricKey & { modulus: Buffer } {
  if (store === undefined) return derive();
  const id = Buffer.from(idHex, "hex");
  const hit = store.find((record) => record.id.equals(id));
  if (hit !== undefined) {
    const key = rsaKeyPairFromPrimes(BigInt("0x" + hit.p.toString("hex")), BigInt("0x" + hit.q.toString("hex")), exponent);
    return { publicKey: key.publicKey, privateKey: key.privateKey, modulus: key.modulus };
  }
  const key = derive();
  const jwk = key.privateKey.export({ format: "jwk" });
  if (typeof jwk.p === "string" && typeof jwk.q === "string") {
    store.push({ id, p: Buffer.from(jwk.p, "base64url"), q: Buffer.from(jwk.q, "base64url") });
    if (store.length > STORED_RSA_KEYS) store.shift();
  }
  return key;
}

/**
 * Part 1 §27: a primary object is a function of the hierarchy seed and the template (`unique` included) and the
 * extra data the caller supplies. `seedContext` additionally binds the seedValue (used for child protection).
 */
function derivedSource(
  seed: Uint8Array,
  nameAlg: number,
  templateDigest: Buffer,
  seedContext: Buffer,
  opts: { roca: boolean; store?: DerivedRsaKeyRecord[] | undefined } = { roca: false },
): KeySource {
  const cacheKey = (kind: string) =>
    createHash("sha256").update(kind).update(seed).update(templateDigest).digest("hex");
  return {
    rsa: (keyBits, exponent) => {
      const id = cacheKey(`rsa${keyBits}/${exponent}${opts.roca ? "/roca" : ""}`);
      return storedRsaKey(opts.store, id, exponent, () =>
        cached(id, () =>
          // the roca-ek fault: the TPM's key generation has the ROCA flaw (only the default exponent is affected)
          opts.roca && exponent === DEFAULT_EXPONENT
            ? deriveRocaRsaKey(seed, nameAlg, templateDigest, keyBits)
            : deriveRsaPrimeKey(seed, nameAlg, templateDigest, keyBits, exponent),
        ),
      );
    },
    ecc: (curve) => cached(cacheKey(`ecc${curve}`), () => deriveEccKey(seed, nameAlg, templateDigest, curve)),
    symmetric: (length) => deriveSymmetricSeed(seed, nameAlg, templateDigest, length),
    seedValue: () => deriveSeedValue(seed, nameAlg, seedContext),
  };
}

function isPrimeExponent(e: number): boolean {
  if (e % 2 === 0) return false;
  for (let d = 3; d * d <= e; d += 2) if (e % d === 0) return false;
  return true;
}

/** ms-tpm-20-ref CryptComputeSymmetricUnique: a parent's unique is an HMAC, others a hash. */
export function symmetricUnique(pub: TPMT_PUBLIC, seedValue: Uint8Array, secret: Uint8Array): Buffer {
  const attrs = pub.objectAttributes;
  if (has(attrs, O.restricted) && has(attrs, O.decrypt)) return hmac(pub.nameAlg, seedValue, secret);
  return hashDigest(pub.nameAlg, seedValue, secret);
}

interface Generated {
  publicArea: TPMT_PUBLIC;
  sensitive: TPMT_SENSITIVE;
  keys: Partial<AsymmetricKey>;
}

/**
 * CryptCreateObject: fills the sensitive area and the `unique` field of `template`.
 * @throws TpmError TPM_RC_RANGE (RSA exponent), TPM_RC_SIZE (KEYEDHASH key too long), TPM_RC_KEY_SIZE (SYMCIPHER
 *   key of the wrong size); no parameter number, as in the reference.
 */
function generate(template: TPMT_PUBLIC, authValue: Buffer, data: Uint8Array, source: KeySource): Generated {
  const attrs = template.objectAttributes;
  const secret = has(attrs, O.sensitiveDataOrigin) ? EMPTY : data;
  const publicArea: TPMT_PUBLIC = { ...template };
  const keys: Partial<AsymmetricKey> = {};
  let sensitive: Uint8Array;
  switch (template.type) {
    case A.RSA: {
      const parms = template.parameters as TPMS_RSA_PARMS;
      const e = parms.exponent === 0 ? DEFAULT_EXPONENT : parms.exponent;
      if (e < DEFAULT_EXPONENT || (e !== DEFAULT_EXPONENT && !isPrimeExponent(e))) throw new TpmError(TPM_RC.RANGE);
      const key = source.rsa(parms.keyBits, e);
      publicArea.unique = key.modulus;
      sensitive = rsaPrimeFromKey(key.privateKey);
      keys.publicKey = key.publicKey;
      keys.privateKey = key.privateKey;
      break;
    }
    case A.ECC: {
      const key = source.ecc((template.parameters as TPMS_ECC_PARMS).curveID);
      publicArea.unique = { x: key.x, y: key.y };
      sensitive = key.d;
      // no KeyObjects here: keys.ts builds them from the sensitive area when the key is first used
      break;
    }
    case A.SYMCIPHER: {
      const bytes = ((template.parameters as TPMS_SYMCIPHER_PARMS).sym.keyBits ?? 0) / 8;
      if (secret.length !== 0 && secret.length !== bytes) throw new TpmError(TPM_RC.KEY_SIZE);
      sensitive = secret.length !== 0 ? Buffer.from(secret) : source.symmetric(bytes);
      break;
    }
    default: {
      const { scheme, details } = (template.parameters as TPMS_KEYEDHASH_PARMS).scheme;
      const hashAlg = scheme === A.NULL ? template.nameAlg : (details as { hashAlg: number }).hashAlg;
      if (secret.length !== 0 && (has(attrs, O.sign) || has(attrs, O.decrypt))) {
        // an HMAC key longer than the hash block adds no entropy
        if (secret.length > hashInfo(hashAlg).blockSize) throw new TpmError(TPM_RC.SIZE);
      }
      sensitive = secret.length !== 0 ? Buffer.from(secret) : source.symmetric(digestSizeOf(hashAlg));
    }
  }
  let seedValue = source.seedValue(digestSizeOf(template.nameAlg));
  if (template.type === A.SYMCIPHER || template.type === A.KEYEDHASH) {
    publicArea.unique = symmetricUnique(template, seedValue, sensitive);
  } else if (has(attrs, O.sign) || !has(attrs, O.restricted)) {
    // only an asymmetric parent needs a seed for its children's protection
    seedValue = EMPTY;
  }
  return {
    publicArea,
    sensitive: { sensitiveType: template.type, authValue, seedValue, sensitive },
    keys,
  };
}

function toObject(generated: Generated, hierarchy: number, parentQualifiedName: Uint8Array, primary: boolean) {
  const object = makeObject(generated.publicArea, generated.sensitive, hierarchy, parentQualifiedName, primary);
  if (generated.keys.publicKey) object.cache.publicKey = generated.keys.publicKey;
  if (generated.keys.privateKey) object.cache.privateKey = generated.keys.privateKey;
  return object;
}

/**
 * An ordinary object (TPM2_Create): fresh random key material under `parent`. The template must have passed
 * {@link createChecks}; `userAuth` must be the output of {@link adjustAuthSize}.
 * @throws TpmError as `generate` (TPM_RC_RANGE, TPM_RC_SIZE, TPM_RC_KEY_SIZE)
 */
export function createOrdinaryObject(
  tpm: Tpm,
  parent: TpmObject,
  template: TPMT_PUBLIC,
  userAuth: Buffer,
  data: Uint8Array,
): TpmObject {
  const generated = generate(template, userAuth, data, randomSource(tpm));
  const object = toObject(generated, parent.hierarchy, parent.qualifiedName, false);
  if (isStClear(parent)) markStClear(object);
  return object;
}

/**
 * The key material of a primary object, derived from the hierarchy seed (TPM2_CreatePrimary after its checks).
 * Same seed, template and data give the same object; Endorsement primaries also bind their seedValue to the
 * owner and endorsement proofs, as ms-tpm-20-ref does, so their children die with TPM2_Clear.
 */
export function derivePrimaryObject(
  tpm: Tpm,
  hierarchyHandle: number,
  template: TPMT_PUBLIC,
  userAuth: Buffer,
  data: Uint8Array,
): TpmObject {
  const hierarchy = tpm.hierarchy(hierarchyHandle);
  if (!hierarchy) throw new TpmError(TPM_RC.VALUE);
  const nameAlg = template.nameAlg;
  const templateDigest = hashDigest(nameAlg, marshal(TPMT_PUBLIC, template), data);
  const seedContext =
    hierarchyHandle === TPM_RH.ENDORSEMENT
      ? hashDigest(nameAlg, templateDigest, tpm.state.owner.proof, tpm.state.endorsement.proof)
      : templateDigest;
  // The null hierarchy's seed changes at every TPM Reset: its keys are not worth remembering.
  if (hierarchyHandle !== TPM_RH.NULL) tpm.state.derivedRsaKeys ??= [];
  const source = derivedSource(hierarchy.record.seed, nameAlg, templateDigest, seedContext, {
    roca: hasFault(tpm.faults, "roca-ek") !== undefined,
    store: hierarchyHandle === TPM_RH.NULL ? undefined : tpm.state.derivedRsaKeys,
  });
  const generated = generate(template, userAuth, data, source);
  return toObject(generated, hierarchyHandle, handleName(hierarchyHandle), hierarchyHandle !== TPM_RH.NULL);
}

/**
 * Creates a primary object without command bytes (manufacturing: the EK). Runs the checks of TPM2_CreatePrimary
 * and returns the object, not loaded in any slot.
 * @param hierarchyHandle TPM_RH_OWNER, TPM_RH_ENDORSEMENT, TPM_RH_PLATFORM or TPM_RH_NULL.
 * @throws TpmError TPM_RC_VALUE (not a hierarchy), the template checks' codes, TPM_RC_SIZE (userAuth too long)
 */
export function createPrimaryObject(
  tpm: Tpm,
  hierarchyHandle: number,
  template: TPMT_PUBLIC,
  sensitive: SensitiveCreate = NO_SENSITIVE,
): TpmObject {
  if (!tpm.hierarchy(hierarchyHandle)) throw new TpmError(TPM_RC.VALUE, { field: "hierarchy" });
  createChecks(undefined, template, sensitive.data.length);
  const userAuth = adjustAuthSize(sensitive.userAuth, template.nameAlg);
  return derivePrimaryObject(tpm, hierarchyHandle, template, userAuth, sensitive.data);
}
