/**
 * The checks of loading an object (ms-tpm-20-ref ObjectLoad and CryptValidateKeys): public area consistency,
 * key sizes, and the cryptographic binding between public and sensitive areas.
 */
import {
  TPMA_OBJECT,
  TPM_ALG,
  TPM_RC,
  TpmError,
  bytesToBigInt,
  digestSizeOf,
  eccCurveInfo,
  eccKeyPairFromScalar,
  eccPublicKeyFromPoint,
  fixedLength,
  hashInfo,
  type TPMS_ECC_PARMS,
  type TPMS_ECC_POINT,
  type TPMS_KEYEDHASH_PARMS,
  type TPMS_RSA_PARMS,
  type TPMS_SYMCIPHER_PARMS,
  type TPMT_PUBLIC,
  type TPMT_SENSITIVE,
} from "../../../tpm2/index.js";
import { publicAttributesValidation, schemeChecks, symmetricUnique } from "../../object-create.js";
import type { TpmObject } from "../../objects.js";
import { blame } from "./blame.js";

/** Parameter numbers that errors about the public and the sensitive area refer to. */
export interface Blame {
  readonly publicArea: number;
  readonly sensitive: number;
}

function at(rc: number, n: number): TpmError {
  return new TpmError(rc).at("parameter", n);
}

function checkRsa(pub: TPMT_PUBLIC, sensitive: TPMT_SENSITIVE | undefined, b: Blame): void {
  const parms = pub.parameters as TPMS_RSA_PARMS;
  const bytes = parms.keyBits / 8;
  const modulus = pub.unique as Uint8Array;
  if (modulus.length !== bytes || modulus[0]! < 0x80) throw at(TPM_RC.KEY, b.publicArea);
  if (parms.exponent !== 0 && parms.exponent < 7) throw at(TPM_RC.VALUE, b.publicArea);
  if (!sensitive) return;
  const prime = sensitive.sensitive;
  if (prime.length * 2 !== bytes || prime[0]! < 0x80) throw at(TPM_RC.KEY_SIZE, b.sensitive);
  if (bytesToBigInt(modulus) % bytesToBigInt(prime) !== 0n) throw new TpmError(TPM_RC.BINDING);
}

function checkEcc(pub: TPMT_PUBLIC, sensitive: TPMT_SENSITIVE | undefined, b: Blame): void {
  const curve = (pub.parameters as TPMS_ECC_PARMS).curveID;
  const bytes = eccCurveInfo(curve).byteLength;
  const point = pub.unique as TPMS_ECC_POINT;
  if (!sensitive) {
    if (point.x.length !== bytes || point.y.length !== bytes) throw at(TPM_RC.KEY, b.publicArea);
    if (pub.nameAlg !== TPM_ALG.NULL) blame(b.publicArea, () => eccPublicKeyFromPoint(curve, point.x, point.y));
    return;
  }
  let computed: { x: Buffer; y: Buffer };
  try {
    computed = eccKeyPairFromScalar(curve, sensitive.sensitive);
  } catch {
    throw new TpmError(TPM_RC.KEY_SIZE);
  }
  if (pub.nameAlg === TPM_ALG.NULL) return;
  const x = fixedLength(computed.x, point.x.length);
  const y = fixedLength(computed.y, point.y.length);
  if (!x || !y || !x.equals(point.x) || !y.equals(point.y)) throw new TpmError(TPM_RC.BINDING);
}

function maxKeyedHashKey(pub: TPMT_PUBLIC): number {
  const { scheme, details } = (pub.parameters as TPMS_KEYEDHASH_PARMS).scheme;
  // a data object holds up to MAX_SYM_DATA octets; an HMAC/XOR key up to its hash's block size
  return scheme === TPM_ALG.NULL ? 128 : hashInfo((details as { hashAlg: number }).hashAlg).blockSize;
}

function checkSymmetric(pub: TPMT_PUBLIC, sensitive: TPMT_SENSITIVE | undefined, b: Blame): void {
  const digest = digestSizeOf(pub.nameAlg);
  const unique = pub.unique as Uint8Array;
  if (!sensitive) {
    if (unique.length !== digest) throw at(TPM_RC.KEY, b.publicArea);
    return;
  }
  const secret = sensitive.sensitive;
  if (pub.type === TPM_ALG.SYMCIPHER) {
    const keyBits = (pub.parameters as TPMS_SYMCIPHER_PARMS).sym.keyBits ?? 0;
    if (secret.length !== keyBits / 8) throw at(TPM_RC.KEY_SIZE, b.sensitive);
  } else if (secret.length > maxKeyedHashKey(pub)) {
    throw at(TPM_RC.KEY_SIZE, b.sensitive);
  }
  if (pub.nameAlg === TPM_ALG.NULL) return;
  if (sensitive.seedValue.length !== digest) throw at(TPM_RC.KEY_SIZE, b.sensitive);
  if (!symmetricUnique(pub, sensitive.seedValue, secret).equals(unique)) throw new TpmError(TPM_RC.BINDING);
}

/**
 * CryptValidateKeys: key sizes of the public (and sensitive) area and, with a nameAlg, the binding between them.
 * @throws TpmError TPM_RC_TYPE, TPM_RC_SIZE, TPM_RC_KEY_SIZE (sensitive); TPM_RC_KEY, TPM_RC_VALUE,
 *   TPM_RC_ECC_POINT (public); TPM_RC_BINDING (mismatch, no parameter number)
 */
export function validateKeys(pub: TPMT_PUBLIC, sensitive: TPMT_SENSITIVE | undefined, b: Blame): void {
  if (sensitive) {
    if (sensitive.sensitiveType !== pub.type) throw at(TPM_RC.TYPE, b.sensitive);
    const digest = digestSizeOf(pub.nameAlg);
    if (digest > 0 && sensitive.authValue.length > digest) throw at(TPM_RC.SIZE, b.sensitive);
  }
  if (pub.type === TPM_ALG.RSA) checkRsa(pub, sensitive, b);
  else if (pub.type === TPM_ALG.ECC) checkEcc(pub, sensitive, b);
  else checkSymmetric(pub, sensitive, b);
}

/**
 * The checks of ObjectLoad: a public-only or nameless object gets its schemes checked, a full object its
 * attributes against the parent; the keys are validated unless a fixedTPM parent's integrity already vouches.
 * @param parent the parent for TPM2_Load, undefined for TPM2_LoadExternal.
 */
export function checkObjectToLoad(
  parent: TpmObject | undefined,
  pub: TPMT_PUBLIC,
  sensitive: TPMT_SENSITIVE | undefined,
  b: Blame,
): void {
  if (!sensitive || pub.nameAlg === TPM_ALG.NULL) {
    blame(b.publicArea, () => schemeChecks(undefined, pub));
  } else {
    if (sensitive.seedValue.length > digestSizeOf(pub.nameAlg)) throw at(TPM_RC.KEY_SIZE, b.sensitive);
    blame(b.publicArea, () => publicAttributesValidation(parent, pub));
  }
  const parentVouches = parent !== undefined && (parent.publicArea.objectAttributes & TPMA_OBJECT.fixedTPM) !== 0;
  if (!parentVouches) validateKeys(pub, sensitive, b);
}
