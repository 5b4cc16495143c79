import {
  TPM_ALG,
  TPM_RC,
  TPM_RH,
  TPM_SE,
  TPMA_OBJECT,
  digestSize,
  emptyPolicyDigest,
  sessionKey,
  type TPMT_SYM_DEF,
} from "../../../tpm2/index.js";
import type { Session } from "../../sessions.js";
import type { Tpm } from "../../tpm.js";
import { recordSessionStart } from "../ea/policy-timeout.js";
import { defineCommand, handleError, paramError } from "../registry.js";
import { decryptSalt } from "./decrypt-salt.js";
import { checkEntityHandle, checkObjectHandle } from "./handle-types.js";

/** Part 3 §11.1: nonceCaller is 16 octets at least and a digest of authHash at most. */
const MIN_NONCE_SIZE = 16;

/**
 * The salt of a salted session, decrypted with `tpmKey` (Part 3 §11.1: an asymmetric decryption key with its
 * private part loaded), or null for an unsalted one.
 */
function saltOf(tpm: Tpm, tpmKey: number, encryptedSalt: Uint8Array): Buffer | null {
  if (tpmKey === TPM_RH.NULL) {
    if (encryptedSalt.length !== 0) throw paramError(TPM_RC.VALUE, 2);
    return null;
  }
  const key = tpm.requireObject(tpmKey);
  const type = key.publicArea.type;
  if (type !== TPM_ALG.RSA && type !== TPM_ALG.ECC) throw handleError(TPM_RC.KEY, 1);
  if (encryptedSalt.length === 0) throw paramError(TPM_RC.VALUE, 2);
  if (!key.sensitive) throw handleError(TPM_RC.HANDLE, 1);
  if (!(key.publicArea.objectAttributes & TPMA_OBJECT.decrypt)) throw handleError(TPM_RC.ATTRIBUTES, 1);
  try {
    return decryptSalt(key, encryptedSalt);
  } catch {
    throw paramError(TPM_RC.VALUE, 2);
  }
}

/** The bind entity's authValue, or null when the session is unbound. A public-only object cannot be bound to. */
function bindAuthOf(tpm: Tpm, bind: number): Buffer | null {
  if (bind === TPM_RH.NULL) return null;
  const top = bind >>> 24;
  if ((top === 0x80 || top === 0x81) && !tpm.requireObject(bind).sensitive) throw handleError(TPM_RC.HANDLE, 2);
  return tpm.entityAuthValue(bind) ?? Buffer.alloc(0);
}

/** Part 3 §11.1: parameter encryption is XOR, AES in CFB mode, or none. */
function checkSymmetric(symmetric: TPMT_SYM_DEF): void {
  if (symmetric.algorithm === TPM_ALG.AES && symmetric.mode !== TPM_ALG.CFB) throw paramError(TPM_RC.MODE, 4);
}

/**
 * Part 3 §11.1 TPM2_StartAuthSession: an HMAC, policy or trial session. A salt encrypted to `tpmKey` and the
 * authValue of `bind` go into the session key (Part 1 §19.6.8, KDFa "ATH"); an HMAC session remembers the Name
 * of its bind entity. nonceTPM has the size of nonceCaller.
 * RCs: TPM_RC_VALUE (handle 1 not an object or TPM_RH_NULL; handle 2 not an entity; parameter 2: salt without
 * tpmKey, missing salt, or a salt that does not decrypt; parameter 3: unknown session type), TPM_RC_SIZE
 * (parameter 1: nonceCaller shorter than 16 octets or longer than an authHash digest), TPM_RC_KEY (handle 1 not
 * RSA or ECC), TPM_RC_HANDLE (handle 1 or 2: public-only object), TPM_RC_ATTRIBUTES (handle 1 not a decryption
 * key), TPM_RC_MODE (parameter 4: AES not in CFB mode), TPM_RC_SESSION_HANDLES (no free session slot).
 */
export const startAuthSession = defineCommand("StartAuthSession", (tpm, { handles, params }) => {
  const [tpmKey, bind] = handles as [number, number];
  checkObjectHandle(tpmKey, 1, true);
  checkEntityHandle(bind, 2, true);
  const { nonceCaller, encryptedSalt, sessionType, symmetric, authHash } = params;
  if (sessionType !== TPM_SE.HMAC && sessionType !== TPM_SE.POLICY && sessionType !== TPM_SE.TRIAL) {
    throw paramError(TPM_RC.VALUE, 3);
  }
  if (nonceCaller.length < MIN_NONCE_SIZE || nonceCaller.length > digestSize(authHash)) throw paramError(TPM_RC.SIZE, 1);
  const salt = saltOf(tpm, tpmKey, encryptedSalt);
  const bindAuth = bindAuthOf(tpm, bind);
  checkSymmetric(symmetric);

  const nonceTPM = tpm.random(nonceCaller.length);
  const session: Session = {
    type: sessionType,
    authHash,
    symmetric,
    sessionKey: sessionKey(authHash, bindAuth, salt !== null && salt.length > 0 ? salt : null, nonceTPM, nonceCaller),
    nonceTPM,
    nonceCaller: Buffer.from(nonceCaller),
    // As in the reference, only an HMAC session is bound; a policy session just has the bind authValue in its key
    boundEntity: sessionType === TPM_SE.HMAC && bind !== TPM_RH.NULL ? tpm.entityName(bind) : undefined,
    salted: salt !== null,
    policyDigest: emptyPolicyDigest(authHash),
    commandCode: undefined,
    isAuthValueNeeded: false,
    isPasswordNeeded: false,
    pcrUpdateCounter: undefined,
    cpHash: undefined,
    nameHash: undefined,
  };
  const handle = tpm.sessions.add(session);
  recordSessionStart(session, tpm.time());
  return { handle, response: { nonceTPM } };
});
