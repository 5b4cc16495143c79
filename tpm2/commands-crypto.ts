/** Part 3 commands: key and data operations: asymmetric and symmetric primitives, HMAC and hash sequences, duplication, object auth, ephemeral EC keys (Part 3 §12–§17, §19). */
import { TPMI_YES_NO, UINT16, UINT32 } from "./codec.js";
import { command } from "./command-def.js";
import * as S from "./structures.js";

const object = (role: "user" | "none" | "admin" | "dup") => ({ role, types: ["object"] as const });
const symmetricIn = {
  mode: S.TPMI_ALG_SYM_MODE,
  ivIn: S.TPM2B_IV,
};
const symmetricOut = { outData: S.TPM2B_MAX_BUFFER, ivOut: S.TPM2B_IV };

export const CRYPTO_COMMANDS = {
  // §12 objects
  Unseal: command("Unseal", {
    handles: { itemHandle: object("user") },
    response: { outData: S.TPM2B_SENSITIVE_DATA },
  }),
  ObjectChangeAuth: command("ObjectChangeAuth", {
    handles: { objectHandle: object("admin"), parentHandle: object("none") },
    params: { newAuth: S.TPM2B_AUTH },
    response: { outPrivate: S.TPM2B_PRIVATE },
  }),
  CreateLoaded: command("CreateLoaded", {
    handles: { parentHandle: { role: "user", types: ["owner", "endorsement", "platform", "null", "object"] } },
    params: { inSensitive: S.TPM2B_SENSITIVE_CREATE, inPublic: S.TPM2B_TEMPLATE },
    responseHandle: "objectHandle",
    response: { outPrivate: S.TPM2B_PRIVATE, outPublic: S.TPM2B_PUBLIC, name: S.TPM2B_NAME },
  }),
  // §13 duplication
  Duplicate: command("Duplicate", {
    handles: { objectHandle: object("dup"), newParentHandle: { role: "none", types: ["object", "null"] } },
    params: { encryptionKeyIn: S.TPM2B_DATA, symmetricAlg: S.TPMT_SYM_DEF_OBJECT },
    response: { encryptionKeyOut: S.TPM2B_DATA, duplicate: S.TPM2B_PRIVATE, outSymSeed: S.TPM2B_ENCRYPTED_SECRET },
  }),
  Import: command("Import", {
    handles: { parentHandle: object("user") },
    params: {
      encryptionKey: S.TPM2B_DATA,
      objectPublic: S.TPM2B_PUBLIC,
      duplicate: S.TPM2B_PRIVATE,
      inSymSeed: S.TPM2B_ENCRYPTED_SECRET,
      symmetricAlg: S.TPMT_SYM_DEF_OBJECT,
    },
    response: { outPrivate: S.TPM2B_PRIVATE },
  }),
  // §14 asymmetric primitives
  RSA_Encrypt: command("RSA_Encrypt", {
    handles: { keyHandle: object("none") },
    params: { message: S.TPM2B_PUBLIC_KEY_RSA, inScheme: S.TPMT_RSA_DECRYPT, label: S.TPM2B_DATA },
    response: { outData: S.TPM2B_PUBLIC_KEY_RSA },
  }),
  RSA_Decrypt: command("RSA_Decrypt", {
    handles: { keyHandle: object("user") },
    params: { cipherText: S.TPM2B_PUBLIC_KEY_RSA, inScheme: S.TPMT_RSA_DECRYPT, label: S.TPM2B_DATA },
    response: { message: S.TPM2B_PUBLIC_KEY_RSA },
  }),
  ECDH_KeyGen: command("ECDH_KeyGen", {
    handles: { keyHandle: object("none") },
    response: { zPoint: S.TPM2B_ECC_POINT, pubPoint: S.TPM2B_ECC_POINT },
  }),
  ECDH_ZGen: command("ECDH_ZGen", {
    handles: { keyHandle: object("user") },
    params: { inPoint: S.TPM2B_ECC_POINT },
    response: { outPoint: S.TPM2B_ECC_POINT },
  }),
  // §15 symmetric primitives
  EncryptDecrypt: command("EncryptDecrypt", {
    handles: { keyHandle: object("user") },
    params: { decrypt: TPMI_YES_NO, ...symmetricIn, inData: S.TPM2B_MAX_BUFFER },
    response: symmetricOut,
  }),
  EncryptDecrypt2: command("EncryptDecrypt2", {
    handles: { keyHandle: object("user") },
    params: { inData: S.TPM2B_MAX_BUFFER, decrypt: TPMI_YES_NO, ...symmetricIn },
    response: symmetricOut,
  }),
  HMAC: command("HMAC", {
    handles: { handle: object("user") },
    params: { buffer: S.TPM2B_MAX_BUFFER, hashAlg: S.TPMI_ALG_HASH_NULL },
    response: { outHMAC: S.TPM2B_DIGEST },
  }),
  // §17 hash/HMAC/event sequences
  HMAC_Start: command("HMAC_Start", {
    handles: { handle: object("user") },
    params: { auth: S.TPM2B_AUTH, hashAlg: S.TPMI_ALG_HASH_NULL },
    responseHandle: "sequenceHandle",
  }),
  HashSequenceStart: command("HashSequenceStart", {
    params: { auth: S.TPM2B_AUTH, hashAlg: S.TPMI_ALG_HASH_NULL },
    responseHandle: "sequenceHandle",
  }),
  SequenceUpdate: command("SequenceUpdate", {
    handles: { sequenceHandle: object("user") },
    params: { buffer: S.TPM2B_MAX_BUFFER },
  }),
  SequenceComplete: command("SequenceComplete", {
    handles: { sequenceHandle: object("user") },
    params: { buffer: S.TPM2B_MAX_BUFFER, hierarchy: UINT32 },
    response: { result: S.TPM2B_DIGEST, validation: S.TPMT_TK_HASHCHECK },
  }),
  EventSequenceComplete: command("EventSequenceComplete", {
    handles: { pcrHandle: { role: "user", types: ["pcr", "null"] }, sequenceHandle: object("user") },
    params: { buffer: S.TPM2B_MAX_BUFFER },
    response: { results: S.TPML_DIGEST_VALUES },
  }),
  // §18 attestation
  GetTime: command("GetTime", {
    handles: {
      privacyAdminHandle: { role: "user", types: ["endorsement"] },
      signHandle: { role: "user", types: ["object", "null"] },
    },
    params: { qualifyingData: S.TPM2B_DATA, inScheme: S.TPMT_SIG_SCHEME },
    response: { timeInfo: S.TPM2B_ATTEST, signature: S.TPMT_SIGNATURE },
  }),
  // §19 ephemeral EC keys
  Commit: command("Commit", {
    handles: { signHandle: object("user") },
    params: { P1: S.TPM2B_ECC_POINT, s2: S.TPM2B_SENSITIVE_DATA, y2: S.TPM2B_ECC_PARAMETER },
    response: { K: S.TPM2B_ECC_POINT, L: S.TPM2B_ECC_POINT, E: S.TPM2B_ECC_POINT, counter: UINT16 },
  }),
  EC_Ephemeral: command("EC_Ephemeral", {
    params: { curveID: S.TPMI_ECC_CURVE },
    response: { Q: S.TPM2B_ECC_POINT, counter: UINT16 },
  }),
  ZGen_2Phase: command("ZGen_2Phase", {
    handles: { keyA: object("user") },
    params: { inQsB: S.TPM2B_ECC_POINT, inQeB: S.TPM2B_ECC_POINT, inScheme: S.TPMI_ECC_KEY_EXCHANGE, counter: UINT16 },
    response: { outZ1: S.TPM2B_ECC_POINT, outZ2: S.TPM2B_ECC_POINT },
  }),
} as const;
