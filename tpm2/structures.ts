/**
 * TPM 2.0 Part 2 structures, declared once as schemas. Each declaration mirrors its Part 2 table; the TPMI
 * interface types carry the value checks and response codes of the reference implementation's unmarshal code.
 */
import {
  EMPTY,
  UINT16,
  UINT32,
  UINT64,
  UINT8,
  TPMI_YES_NO,
  attributes32,
  list,
  sized,
  sizedStruct,
  struct,
  u16,
  u32,

  union,
  type Infer,
  type Schema,
} from "./codec.js";
import {
  TPM_ALG,
  TPM_ECC_CURVE,
  TPM_GENERATED_VALUE,
  TPM_LIMITS,
  TPM_RC,
  TPM_ST,
  TPMA_NV_RESERVED,
  TPMA_OBJECT_RESERVED,
} from "./constants.js";
import { TpmError } from "./errors.js";

const A = TPM_ALG;

// ---------------------------------------------------------------------------------------------------------------
// What this TPM implements (the algorithm set every TPMI check below accepts)

export const HASH_ALGS: readonly number[] = [A.SHA1, A.SHA256, A.SHA384, A.SHA512];
export const ECC_CURVES: readonly number[] = [TPM_ECC_CURVE.NIST_P256, TPM_ECC_CURVE.NIST_P384];
export const RSA_KEY_BITS: readonly number[] = [1024, 2048, 3072];
export const AES_KEY_BITS: readonly number[] = [128, 192, 256];
export const SYM_MODES: readonly number[] = [A.CFB, A.CTR, A.OFB, A.CBC, A.ECB];

const DIGEST_SIZES: Record<number, number> = { [A.SHA1]: 20, [A.SHA256]: 32, [A.SHA384]: 48, [A.SHA512]: 64 };

/** Digest size of a hash algorithm this TPM implements (0 for TPM_ALG_NULL or unknown). */
export function digestSizeOf(alg: number): number {
  return DIGEST_SIZES[alg] ?? 0;
}

/** ALG_ID restricted to `allowed` (+ TPM_ALG_NULL when nullable); anything else is `rc`. */
function algId(name: string, allowed: readonly number[], rc: number, nullable: boolean): Schema<number> {
  return u16(name, { values: nullable ? [...allowed, A.NULL] : allowed, rc });
}

// Part 2 §9 interface types
export const ALG_ID = UINT16;
export const TPMI_ALG_HASH = algId("TPMI_ALG_HASH", HASH_ALGS, TPM_RC.HASH, false);
export const TPMI_ALG_HASH_NULL = algId("TPMI_ALG_HASH", HASH_ALGS, TPM_RC.HASH, true);
export const TPMI_ALG_SYM = algId("TPMI_ALG_SYM", [A.AES, A.XOR], TPM_RC.SYMMETRIC, true);
export const TPMI_ALG_SYM_OBJECT = algId("TPMI_ALG_SYM_OBJECT", [A.AES], TPM_RC.SYMMETRIC, true);
export const TPMI_ALG_SYM_MODE = algId("TPMI_ALG_SYM_MODE", SYM_MODES, TPM_RC.MODE, true);
export const TPMI_ALG_KDF = algId("TPMI_ALG_KDF", [A.MGF1, A.KDF1_SP800_56A, A.KDF2, A.KDF1_SP800_108], TPM_RC.KDF, true);
export const TPMI_ALG_PUBLIC = algId("TPMI_ALG_PUBLIC", [A.RSA, A.KEYEDHASH, A.ECC, A.SYMCIPHER], TPM_RC.TYPE, false);
export const TPMI_ALG_SIG_SCHEME = algId(
  "TPMI_ALG_SIG_SCHEME",
  [A.RSASSA, A.RSAPSS, A.ECDSA, A.ECDAA, A.HMAC],
  TPM_RC.SCHEME,
  true,
);
export const TPMI_ALG_RSA_SCHEME = algId(
  "TPMI_ALG_RSA_SCHEME",
  [A.RSASSA, A.RSAPSS, A.RSAES, A.OAEP],
  TPM_RC.VALUE,
  true,
);
export const TPMI_ALG_RSA_DECRYPT = algId("TPMI_ALG_RSA_DECRYPT", [A.RSAES, A.OAEP], TPM_RC.VALUE, true);
export const TPMI_ALG_ECC_SCHEME = algId("TPMI_ALG_ECC_SCHEME", [A.ECDSA, A.ECDAA, A.ECDH], TPM_RC.SCHEME, true);
/** Part 2 TPMI_ECC_KEY_EXCHANGE: the two-phase key exchanges this TPM implements (ECDH, C(2e, 2s)). */
export const TPMI_ECC_KEY_EXCHANGE = algId("TPMI_ECC_KEY_EXCHANGE", [A.ECDH], TPM_RC.SCHEME, true);
export const TPMI_ALG_KEYEDHASH_SCHEME = algId("TPMI_ALG_KEYEDHASH_SCHEME", [A.HMAC, A.XOR], TPM_RC.VALUE, true);
export const TPMI_ECC_CURVE = u16("TPMI_ECC_CURVE", { values: ECC_CURVES, rc: TPM_RC.CURVE });
export const TPMI_RSA_KEY_BITS = u16("TPMI_RSA_KEY_BITS", { values: RSA_KEY_BITS, rc: TPM_RC.VALUE });
export const TPMI_AES_KEY_BITS = u16("TPMI_AES_KEY_BITS", { values: AES_KEY_BITS, rc: TPM_RC.VALUE });
export const TPMI_ST_ATTEST = u16("TPMI_ST_ATTEST", {
  values: [
    TPM_ST.ATTEST_CERTIFY,
    TPM_ST.ATTEST_QUOTE,
    TPM_ST.ATTEST_SESSION_AUDIT,
    TPM_ST.ATTEST_COMMAND_AUDIT,
    TPM_ST.ATTEST_TIME,
    TPM_ST.ATTEST_CREATION,
    TPM_ST.ATTEST_NV,
    TPM_ST.ATTEST_NV_DIGEST,
  ],
  rc: TPM_RC.VALUE,
});
export const TPM_HANDLE = UINT32;
export const TPMA_OBJECT_WORD = attributes32("TPMA_OBJECT", TPMA_OBJECT_RESERVED);
export const TPMA_NV_WORD = attributes32("TPMA_NV", TPMA_NV_RESERVED);
export const TPMA_SESSION_WORD = UINT8;
export const TPMA_LOCALITY_WORD = UINT8;

// ---------------------------------------------------------------------------------------------------------------
// Part 2 §10 base structures

export const TPM2B_DIGEST = sized("TPM2B_DIGEST", TPM_LIMITS.MAX_DIGEST);
export const TPM2B_NONCE = TPM2B_DIGEST;
export const TPM2B_AUTH = TPM2B_DIGEST;
export const TPM2B_OPERAND = TPM2B_DIGEST;
export const TPM2B_DATA = sized("TPM2B_DATA", TPM_LIMITS.MAX_DIGEST);
export const TPM2B_EVENT = sized("TPM2B_EVENT", TPM_LIMITS.MAX_BUFFER);
export const TPM2B_MAX_BUFFER = sized("TPM2B_MAX_BUFFER", TPM_LIMITS.MAX_BUFFER);
export const TPM2B_MAX_NV_BUFFER = sized("TPM2B_MAX_NV_BUFFER", TPM_LIMITS.MAX_NV_BUFFER);
export const TPM2B_TIMEOUT = sized("TPM2B_TIMEOUT", 8);
export const TPM2B_IV = sized("TPM2B_IV", 16);
/** Part 2 §10.5.3: a Name is a handle (4 bytes) or nameAlg (2) + digest. */
export const TPM2B_NAME = sized("TPM2B_NAME", 2 + TPM_LIMITS.MAX_DIGEST);

/** TPMT_HA (§10.3.2): a digest whose size the hash algorithm fixes. */
export const TPMT_HA: Schema<{ hashAlg: number; digest: Uint8Array }> = {
  name: "TPMT_HA",
  read(r) {
    const hashAlg = TPMI_ALG_HASH_NULL.read(r);
    return { hashAlg, digest: r.bytes(digestSizeOf(hashAlg)) };
  },
  write(w, v) {
    w.u16(v.hashAlg);
    w.bytes(v.digest);
  },
};
export type TPMT_HA = Infer<typeof TPMT_HA>;

/** TPMS_PCR_SELECTION (§10.6.2): sizeofSelect outside PCR_SELECT_MIN..PCR_SELECT_MAX is TPM_RC_VALUE. */
export const TPMS_PCR_SELECTION: Schema<{ hash: number; pcrSelect: Uint8Array }> = {
  name: "TPMS_PCR_SELECTION",
  read(r) {
    const hash = TPMI_ALG_HASH.read(r);
    const n = r.u8();
    if (n < TPM_LIMITS.PCR_SELECT_MIN || n > TPM_LIMITS.PCR_SELECT_MAX) {
      throw new TpmError(TPM_RC.VALUE, { field: "sizeofSelect" });
    }
    return { hash, pcrSelect: r.bytes(n) };
  },
  write(w, v) {
    w.u16(v.hash);
    w.u8(v.pcrSelect.length);
    w.bytes(v.pcrSelect);
  },
};
export type TPMS_PCR_SELECTION = Infer<typeof TPMS_PCR_SELECTION>;

/** TPMS_PCR_SELECT (§10.6.1) */
export const TPMS_PCR_SELECT: Schema<Uint8Array> = {
  name: "TPMS_PCR_SELECT",
  read(r) {
    const n = r.u8();
    if (n > TPM_LIMITS.PCR_SELECT_MAX) throw new TpmError(TPM_RC.VALUE, { field: "sizeofSelect" });
    return r.bytes(n);
  },
  write(w, v) {
    w.u8(v.length);
    w.bytes(v);
  },
};

// Part 2 §10.7 tickets
export const TPMT_TK_CREATION = struct("TPMT_TK_CREATION", {
  tag: u16("TPM_ST", { values: [TPM_ST.CREATION], rc: TPM_RC.TAG }),
  hierarchy: TPM_HANDLE,
  digest: TPM2B_DIGEST,
});
export type TPMT_TK_CREATION = Infer<typeof TPMT_TK_CREATION>;
export const TPMT_TK_VERIFIED = struct("TPMT_TK_VERIFIED", {
  tag: u16("TPM_ST", { values: [TPM_ST.VERIFIED], rc: TPM_RC.TAG }),
  hierarchy: TPM_HANDLE,
  digest: TPM2B_DIGEST,
});
export type TPMT_TK_VERIFIED = Infer<typeof TPMT_TK_VERIFIED>;
export const TPMT_TK_AUTH = struct("TPMT_TK_AUTH", {
  tag: u16("TPM_ST", { values: [TPM_ST.AUTH_SIGNED, TPM_ST.AUTH_SECRET], rc: TPM_RC.TAG }),
  hierarchy: TPM_HANDLE,
  digest: TPM2B_DIGEST,
});
export type TPMT_TK_AUTH = Infer<typeof TPMT_TK_AUTH>;
export const TPMT_TK_HASHCHECK = struct("TPMT_TK_HASHCHECK", {
  tag: u16("TPM_ST", { values: [TPM_ST.HASHCHECK], rc: TPM_RC.TAG }),
  hierarchy: TPM_HANDLE,
  digest: TPM2B_DIGEST,
});
export type TPMT_TK_HASHCHECK = Infer<typeof TPMT_TK_HASHCHECK>;

// Part 2 §10.8 property structures
export const TPMS_ALG_PROPERTY = struct("TPMS_ALG_PROPERTY", { alg: ALG_ID, algProperties: UINT32 });
export const TPMS_TAGGED_PROPERTY = struct("TPMS_TAGGED_PROPERTY", { property: UINT32, value: UINT32 });
export const TPMS_TAGGED_PCR_SELECT = struct("TPMS_TAGGED_PCR_SELECT", { tag: UINT32, pcrSelect: TPMS_PCR_SELECT });
export const TPMS_TAGGED_POLICY = struct("TPMS_TAGGED_POLICY", { handle: TPM_HANDLE, policyHash: TPMT_HA });

// Part 2 §10.9 lists
const MAX_CAP_ITEMS = 256;
export const TPML_CC = list("TPML_CC", UINT32, MAX_CAP_ITEMS);
export const TPML_CCA = list("TPML_CCA", UINT32, MAX_CAP_ITEMS);
export const TPML_ALG = list("TPML_ALG", ALG_ID, 64);
export const TPML_HANDLE = list("TPML_HANDLE", TPM_HANDLE, MAX_CAP_ITEMS);
export const TPML_DIGEST = list("TPML_DIGEST", TPM2B_DIGEST, 8);
export const TPML_DIGEST_VALUES = list("TPML_DIGEST_VALUES", TPMT_HA, HASH_ALGS.length);
export const TPML_PCR_SELECTION = list("TPML_PCR_SELECTION", TPMS_PCR_SELECTION, HASH_ALGS.length);
export type TPML_PCR_SELECTION = Infer<typeof TPML_PCR_SELECTION>;
export const TPML_ALG_PROPERTY = list("TPML_ALG_PROPERTY", TPMS_ALG_PROPERTY, MAX_CAP_ITEMS);
export const TPML_TAGGED_TPM_PROPERTY = list("TPML_TAGGED_TPM_PROPERTY", TPMS_TAGGED_PROPERTY, MAX_CAP_ITEMS);
export const TPML_TAGGED_PCR_PROPERTY = list("TPML_TAGGED_PCR_PROPERTY", TPMS_TAGGED_PCR_SELECT, MAX_CAP_ITEMS);
export const TPML_ECC_CURVE = list("TPML_ECC_CURVE", UINT16, 16);
export const TPML_TAGGED_POLICY = list("TPML_TAGGED_POLICY", TPMS_TAGGED_POLICY, 16);

/** TPMS_CAPABILITY_DATA (§10.10.2) */
export const TPMS_CAPABILITY_DATA = struct("TPMS_CAPABILITY_DATA", {
  capability: UINT32,
  data: union("TPMU_CAPABILITIES", "capability", {
    0: TPML_ALG_PROPERTY,
    1: TPML_HANDLE,
    2: TPML_CCA,
    3: TPML_CC,
    4: TPML_CC,
    5: TPML_PCR_SELECTION,
    6: TPML_TAGGED_TPM_PROPERTY,
    7: TPML_TAGGED_PCR_PROPERTY,
    8: TPML_ECC_CURVE,
    9: TPML_TAGGED_POLICY,
  }),
});
export type TPMS_CAPABILITY_DATA = Infer<typeof TPMS_CAPABILITY_DATA>;

// ---------------------------------------------------------------------------------------------------------------
// Part 2 §10.11–§10.12 attestation structures

export const TPMS_CLOCK_INFO = struct("TPMS_CLOCK_INFO", {
  clock: UINT64,
  resetCount: UINT32,
  restartCount: UINT32,
  safe: TPMI_YES_NO,
});
export type TPMS_CLOCK_INFO = Infer<typeof TPMS_CLOCK_INFO>;
export const TPMS_TIME_INFO = struct("TPMS_TIME_INFO", { time: UINT64, clockInfo: TPMS_CLOCK_INFO });
export const TPMS_TIME_ATTEST_INFO = struct("TPMS_TIME_ATTEST_INFO", { time: TPMS_TIME_INFO, firmwareVersion: UINT64 });
export const TPMS_CERTIFY_INFO = struct("TPMS_CERTIFY_INFO", { name: TPM2B_NAME, qualifiedName: TPM2B_NAME });
export type TPMS_CERTIFY_INFO = Infer<typeof TPMS_CERTIFY_INFO>;
export const TPMS_QUOTE_INFO = struct("TPMS_QUOTE_INFO", { pcrSelect: TPML_PCR_SELECTION, pcrDigest: TPM2B_DIGEST });
export type TPMS_QUOTE_INFO = Infer<typeof TPMS_QUOTE_INFO>;
export const TPMS_COMMAND_AUDIT_INFO = struct("TPMS_COMMAND_AUDIT_INFO", {
  auditCounter: UINT64,
  digestAlg: ALG_ID,
  auditDigest: TPM2B_DIGEST,
  commandDigest: TPM2B_DIGEST,
});
export const TPMS_SESSION_AUDIT_INFO = struct("TPMS_SESSION_AUDIT_INFO", {
  exclusiveSession: TPMI_YES_NO,
  sessionDigest: TPM2B_DIGEST,
});
export const TPMS_CREATION_INFO = struct("TPMS_CREATION_INFO", { objectName: TPM2B_NAME, creationHash: TPM2B_DIGEST });
export type TPMS_CREATION_INFO = Infer<typeof TPMS_CREATION_INFO>;
export const TPMS_NV_CERTIFY_INFO = struct("TPMS_NV_CERTIFY_INFO", {
  indexName: TPM2B_NAME,
  offset: UINT16,
  nvContents: TPM2B_MAX_NV_BUFFER,
});
export const TPMS_NV_DIGEST_CERTIFY_INFO = struct("TPMS_NV_DIGEST_CERTIFY_INFO", {
  indexName: TPM2B_NAME,
  nvDigest: TPM2B_DIGEST,
});

/** TPMS_ATTEST (§10.12.12): magic must be TPM_GENERATED_VALUE. */
export const TPMS_ATTEST = struct("TPMS_ATTEST", {
  magic: u32("TPM_GENERATED", { values: [TPM_GENERATED_VALUE], rc: TPM_RC.VALUE }),
  type: TPMI_ST_ATTEST,
  qualifiedSigner: TPM2B_NAME,
  extraData: TPM2B_DATA,
  clockInfo: TPMS_CLOCK_INFO,
  firmwareVersion: UINT64,
  attested: union("TPMU_ATTEST", "type", {
    [TPM_ST.ATTEST_CERTIFY]: TPMS_CERTIFY_INFO,
    [TPM_ST.ATTEST_QUOTE]: TPMS_QUOTE_INFO,
    [TPM_ST.ATTEST_SESSION_AUDIT]: TPMS_SESSION_AUDIT_INFO,
    [TPM_ST.ATTEST_COMMAND_AUDIT]: TPMS_COMMAND_AUDIT_INFO,
    [TPM_ST.ATTEST_TIME]: TPMS_TIME_ATTEST_INFO,
    [TPM_ST.ATTEST_CREATION]: TPMS_CREATION_INFO,
    [TPM_ST.ATTEST_NV]: TPMS_NV_CERTIFY_INFO,
    [TPM_ST.ATTEST_NV_DIGEST]: TPMS_NV_DIGEST_CERTIFY_INFO,
  }),
});
export type TPMS_ATTEST = Infer<typeof TPMS_ATTEST>;
/** TPM2B_ATTEST: kept as bytes, since the signature covers exactly these bytes. */
export const TPM2B_ATTEST = sized("TPM2B_ATTEST", 2048);

// ---------------------------------------------------------------------------------------------------------------
// Part 2 §11 algorithm parameters and structures

/** TPMT_SYM_DEF (§11.1.6) */
export const TPMT_SYM_DEF = struct("TPMT_SYM_DEF", {
  algorithm: TPMI_ALG_SYM,
  keyBits: union("TPMU_SYM_KEY_BITS", "algorithm", { [A.AES]: TPMI_AES_KEY_BITS, [A.XOR]: TPMI_ALG_HASH, [A.NULL]: EMPTY }),
  mode: union("TPMU_SYM_MODE", "algorithm", { [A.AES]: TPMI_ALG_SYM_MODE, [A.XOR]: EMPTY, [A.NULL]: EMPTY }),
});
export type TPMT_SYM_DEF = Infer<typeof TPMT_SYM_DEF>;

/** TPMT_SYM_DEF_OBJECT (§11.1.7) */
export const TPMT_SYM_DEF_OBJECT = struct("TPMT_SYM_DEF_OBJECT", {
  algorithm: TPMI_ALG_SYM_OBJECT,
  keyBits: union("TPMU_SYM_KEY_BITS", "algorithm", { [A.AES]: TPMI_AES_KEY_BITS, [A.NULL]: EMPTY }),
  mode: union("TPMU_SYM_MODE", "algorithm", { [A.AES]: TPMI_ALG_SYM_MODE, [A.NULL]: EMPTY }),
});
export type TPMT_SYM_DEF_OBJECT = Infer<typeof TPMT_SYM_DEF_OBJECT>;

export const TPM2B_SYM_KEY = sized("TPM2B_SYM_KEY", TPM_LIMITS.MAX_SYM_KEY_BYTES);
export const TPMS_SYMCIPHER_PARMS = struct("TPMS_SYMCIPHER_PARMS", { sym: TPMT_SYM_DEF_OBJECT });
export const TPM2B_SENSITIVE_DATA = sized("TPM2B_SENSITIVE_DATA", TPM_LIMITS.MAX_SYM_DATA);

/** TPMS_SENSITIVE_CREATE (§11.1.15) */
export const TPMS_SENSITIVE_CREATE = struct("TPMS_SENSITIVE_CREATE", {
  userAuth: TPM2B_AUTH,
  data: TPM2B_SENSITIVE_DATA,
});
export type TPMS_SENSITIVE_CREATE = Infer<typeof TPMS_SENSITIVE_CREATE>;
export const TPM2B_SENSITIVE_CREATE = sizedStruct("TPM2B_SENSITIVE_CREATE", TPMS_SENSITIVE_CREATE);

// §11.1.17–§11.1.22 schemes
export const TPMS_SCHEME_HASH = struct("TPMS_SCHEME_HASH", { hashAlg: TPMI_ALG_HASH });
export type TPMS_SCHEME_HASH = Infer<typeof TPMS_SCHEME_HASH>;
export const TPMS_SCHEME_ECDAA = struct("TPMS_SCHEME_ECDAA", { hashAlg: TPMI_ALG_HASH, count: UINT16 });
export const TPMS_SCHEME_XOR = struct("TPMS_SCHEME_XOR", { hashAlg: TPMI_ALG_HASH, kdf: TPMI_ALG_KDF });

export const TPMT_KEYEDHASH_SCHEME = struct("TPMT_KEYEDHASH_SCHEME", {
  scheme: TPMI_ALG_KEYEDHASH_SCHEME,
  details: union("TPMU_SCHEME_KEYEDHASH", "scheme", {
    [A.HMAC]: TPMS_SCHEME_HASH,
    [A.XOR]: TPMS_SCHEME_XOR,
    [A.NULL]: EMPTY,
  }),
});

export const TPMT_SIG_SCHEME = struct("TPMT_SIG_SCHEME", {
  scheme: TPMI_ALG_SIG_SCHEME,
  details: union("TPMU_SIG_SCHEME", "scheme", {
    [A.RSASSA]: TPMS_SCHEME_HASH,
    [A.RSAPSS]: TPMS_SCHEME_HASH,
    [A.ECDSA]: TPMS_SCHEME_HASH,
    [A.ECDAA]: TPMS_SCHEME_ECDAA,
    [A.HMAC]: TPMS_SCHEME_HASH,
    [A.NULL]: EMPTY,
  }),
});
export type TPMT_SIG_SCHEME = Infer<typeof TPMT_SIG_SCHEME>;

export const TPMT_KDF_SCHEME = struct("TPMT_KDF_SCHEME", {
  scheme: TPMI_ALG_KDF,
  details: union("TPMU_KDF_SCHEME", "scheme", {
    [A.MGF1]: TPMS_SCHEME_HASH,
    [A.KDF1_SP800_56A]: TPMS_SCHEME_HASH,
    [A.KDF2]: TPMS_SCHEME_HASH,
    [A.KDF1_SP800_108]: TPMS_SCHEME_HASH,
    [A.NULL]: EMPTY,
  }),
});

export const TPMT_RSA_SCHEME = struct("TPMT_RSA_SCHEME", {
  scheme: TPMI_ALG_RSA_SCHEME,
  details: union("TPMU_ASYM_SCHEME", "scheme", {
    [A.RSASSA]: TPMS_SCHEME_HASH,
    [A.RSAPSS]: TPMS_SCHEME_HASH,
    [A.OAEP]: TPMS_SCHEME_HASH,
    [A.RSAES]: EMPTY,
    [A.NULL]: EMPTY,
  }),
});

export const TPMT_RSA_DECRYPT = struct("TPMT_RSA_DECRYPT", {
  scheme: TPMI_ALG_RSA_DECRYPT,
  details: union("TPMU_ASYM_SCHEME", "scheme", { [A.OAEP]: TPMS_SCHEME_HASH, [A.RSAES]: EMPTY, [A.NULL]: EMPTY }),
});

export const TPMT_ECC_SCHEME = struct("TPMT_ECC_SCHEME", {
  scheme: TPMI_ALG_ECC_SCHEME,
  details: union("TPMU_ASYM_SCHEME", "scheme", {
    [A.ECDSA]: TPMS_SCHEME_HASH,
    [A.ECDAA]: TPMS_SCHEME_ECDAA,
    [A.ECDH]: TPMS_SCHEME_HASH,
    [A.NULL]: EMPTY,
  }),
});

// §11.2 public-key parameters
export const TPM2B_PUBLIC_KEY_RSA = sized("TPM2B_PUBLIC_KEY_RSA", TPM_LIMITS.MAX_RSA_KEY_BYTES);
/** §11.2.4.7: room for the five CRT values of the reference code's private format, (MAX_RSA_KEY_BYTES / 2) · 5. */
const RSA_PRIVATE_SIZE = (TPM_LIMITS.MAX_RSA_KEY_BYTES / 2) * 5;
export const TPM2B_PRIVATE_KEY_RSA = sized("TPM2B_PRIVATE_KEY_RSA", RSA_PRIVATE_SIZE);
export const TPM2B_ECC_PARAMETER = sized("TPM2B_ECC_PARAMETER", TPM_LIMITS.MAX_ECC_KEY_BYTES);
export const TPMS_ECC_POINT = struct("TPMS_ECC_POINT", { x: TPM2B_ECC_PARAMETER, y: TPM2B_ECC_PARAMETER });
export type TPMS_ECC_POINT = Infer<typeof TPMS_ECC_POINT>;
export const TPM2B_ECC_POINT = sizedStruct("TPM2B_ECC_POINT", TPMS_ECC_POINT);

export const TPMS_SIGNATURE_RSA = struct("TPMS_SIGNATURE_RSA", { hash: TPMI_ALG_HASH, sig: TPM2B_PUBLIC_KEY_RSA });
export const TPMS_SIGNATURE_ECC = struct("TPMS_SIGNATURE_ECC", {
  hash: TPMI_ALG_HASH,
  signatureR: TPM2B_ECC_PARAMETER,
  signatureS: TPM2B_ECC_PARAMETER,
});

/** TPMT_SIGNATURE (§11.3.4) */
export const TPMT_SIGNATURE = struct("TPMT_SIGNATURE", {
  sigAlg: TPMI_ALG_SIG_SCHEME,
  signature: union("TPMU_SIGNATURE", "sigAlg", {
    [A.RSASSA]: TPMS_SIGNATURE_RSA,
    [A.RSAPSS]: TPMS_SIGNATURE_RSA,
    [A.ECDSA]: TPMS_SIGNATURE_ECC,
    [A.ECDAA]: TPMS_SIGNATURE_ECC,
    [A.HMAC]: TPMT_HA,
    [A.NULL]: EMPTY,
  }),
});
export type TPMT_SIGNATURE = Infer<typeof TPMT_SIGNATURE>;

/** TPM2B_ENCRYPTED_SECRET (§11.4.33): an OAEP ciphertext or a marshalled TPMS_ECC_POINT. */
export const TPM2B_ENCRYPTED_SECRET = sized("TPM2B_ENCRYPTED_SECRET", TPM_LIMITS.MAX_RSA_KEY_BYTES);

// ---------------------------------------------------------------------------------------------------------------
// Part 2 §12 key/object structures

export const TPMS_KEYEDHASH_PARMS = struct("TPMS_KEYEDHASH_PARMS", { scheme: TPMT_KEYEDHASH_SCHEME });
export const TPMS_RSA_PARMS = struct("TPMS_RSA_PARMS", {
  symmetric: TPMT_SYM_DEF_OBJECT,
  scheme: TPMT_RSA_SCHEME,
  keyBits: TPMI_RSA_KEY_BITS,
  exponent: UINT32,
});
export type TPMS_RSA_PARMS = Infer<typeof TPMS_RSA_PARMS>;
export const TPMS_ECC_PARMS = struct("TPMS_ECC_PARMS", {
  symmetric: TPMT_SYM_DEF_OBJECT,
  scheme: TPMT_ECC_SCHEME,
  curveID: TPMI_ECC_CURVE,
  kdf: TPMT_KDF_SCHEME,
});
export type TPMS_ECC_PARMS = Infer<typeof TPMS_ECC_PARMS>;
export type TPMS_KEYEDHASH_PARMS = Infer<typeof TPMS_KEYEDHASH_PARMS>;
export type TPMS_SYMCIPHER_PARMS = Infer<typeof TPMS_SYMCIPHER_PARMS>;

const TPMU_PUBLIC_PARMS = union("TPMU_PUBLIC_PARMS", "type", {
  [A.KEYEDHASH]: TPMS_KEYEDHASH_PARMS,
  [A.SYMCIPHER]: TPMS_SYMCIPHER_PARMS,
  [A.RSA]: TPMS_RSA_PARMS,
  [A.ECC]: TPMS_ECC_PARMS,
});

/** TPMT_PUBLIC_PARMS (§12.2.3.8), used by TestParms. */
export const TPMT_PUBLIC_PARMS = struct("TPMT_PUBLIC_PARMS", { type: TPMI_ALG_PUBLIC, parameters: TPMU_PUBLIC_PARMS });

/** TPMT_PUBLIC (§12.2.4) */
export const TPMT_PUBLIC = struct("TPMT_PUBLIC", {
  type: TPMI_ALG_PUBLIC,
  nameAlg: TPMI_ALG_HASH_NULL,
  objectAttributes: TPMA_OBJECT_WORD,
  authPolicy: TPM2B_DIGEST,
  parameters: TPMU_PUBLIC_PARMS,
  unique: union("TPMU_PUBLIC_ID", "type", {
    [A.KEYEDHASH]: TPM2B_DIGEST,
    [A.SYMCIPHER]: TPM2B_DIGEST,
    [A.RSA]: TPM2B_PUBLIC_KEY_RSA,
    [A.ECC]: TPMS_ECC_POINT,
  }),
});
export type TPMT_PUBLIC = Infer<typeof TPMT_PUBLIC>;
export const TPM2B_PUBLIC = sizedStruct("TPM2B_PUBLIC", TPMT_PUBLIC);
/** TPM2B_TEMPLATE (§12.2.6): the bytes of a TPMT_PUBLIC (or TPMT_TEMPLATE). */
export const TPM2B_TEMPLATE = sized("TPM2B_TEMPLATE", 1024);

/** TPMT_SENSITIVE (§12.3.2.4) */
export const TPMT_SENSITIVE = struct("TPMT_SENSITIVE", {
  sensitiveType: TPMI_ALG_PUBLIC,
  authValue: TPM2B_AUTH,
  seedValue: TPM2B_DIGEST,
  sensitive: union("TPMU_SENSITIVE_COMPOSITE", "sensitiveType", {
    [A.RSA]: TPM2B_PRIVATE_KEY_RSA,
    [A.ECC]: TPM2B_ECC_PARAMETER,
    [A.KEYEDHASH]: TPM2B_SENSITIVE_DATA,
    [A.SYMCIPHER]: TPM2B_SYM_KEY,
  }),
});
export type TPMT_SENSITIVE = Infer<typeof TPMT_SENSITIVE>;
export const TPM2B_SENSITIVE = sizedStruct("TPM2B_SENSITIVE", TPMT_SENSITIVE, { optional: true });

/**
 * sizeof(_PRIVATE) of the reference code (Part 2 §12.3.7): two TPM2B_DIGESTs (outer and inner integrity) and a
 * TPM2B_SENSITIVE whose union is as large as TPM2B_PRIVATE_VENDOR_SPECIFIC (RSA_PRIVATE_SIZE octets).
 */
const PRIVATE_SIZE = 2 * (2 + TPM_LIMITS.MAX_DIGEST) + 2 + (2 + 2 * (2 + TPM_LIMITS.MAX_DIGEST) + 2 + RSA_PRIVATE_SIZE);
/** TPM2B_PRIVATE (§12.3.7): integrity HMAC + encrypted sensitive, opaque to the caller. */
export const TPM2B_PRIVATE = sized("TPM2B_PRIVATE", PRIVATE_SIZE);
/** TPM2B_ID_OBJECT (§12.4.3): integrityHMAC (TPM2B_DIGEST) then encIdentity. */
export const TPM2B_ID_OBJECT = sized("TPM2B_ID_OBJECT", 2 * (2 + TPM_LIMITS.MAX_DIGEST));

// ---------------------------------------------------------------------------------------------------------------
// Part 2 §13 NV

/** TPMS_NV_PUBLIC (§13.5): nvIndex must be an NV index handle. */
export const TPMS_NV_PUBLIC = struct("TPMS_NV_PUBLIC", {
  nvIndex: u32("TPMI_RH_NV_INDEX", { check: (h) => h >>> 24 === 0x01, rc: TPM_RC.VALUE }),
  nameAlg: TPMI_ALG_HASH,
  attributes: TPMA_NV_WORD,
  authPolicy: TPM2B_DIGEST,
  dataSize: UINT16,
});
export type TPMS_NV_PUBLIC = Infer<typeof TPMS_NV_PUBLIC>;
export const TPM2B_NV_PUBLIC = sizedStruct("TPM2B_NV_PUBLIC", TPMS_NV_PUBLIC);

// ---------------------------------------------------------------------------------------------------------------
// Part 2 §14 context data, §15 creation data

export const TPM2B_CONTEXT_DATA = sized("TPM2B_CONTEXT_DATA", TPM_LIMITS.MAX_CONTEXT_SIZE);
/** TPMS_CONTEXT (§14.5) */
export const TPMS_CONTEXT = struct("TPMS_CONTEXT", {
  sequence: UINT64,
  savedHandle: TPM_HANDLE,
  hierarchy: TPM_HANDLE,
  contextBlob: TPM2B_CONTEXT_DATA,
});
export type TPMS_CONTEXT = Infer<typeof TPMS_CONTEXT>;

/** TPMS_CREATION_DATA (§15.1) */
export const TPMS_CREATION_DATA = struct("TPMS_CREATION_DATA", {
  pcrSelect: TPML_PCR_SELECTION,
  pcrDigest: TPM2B_DIGEST,
  locality: TPMA_LOCALITY_WORD,
  parentNameAlg: ALG_ID,
  parentName: TPM2B_NAME,
  parentQualifiedName: TPM2B_NAME,
  outsideInfo: TPM2B_DATA,
});
export type TPMS_CREATION_DATA = Infer<typeof TPMS_CREATION_DATA>;
export const TPM2B_CREATION_DATA = sizedStruct("TPM2B_CREATION_DATA", TPMS_CREATION_DATA);

// ---------------------------------------------------------------------------------------------------------------
// Part 1 §18 / Part 2 §10.13 authorization area

export const TPMS_AUTH_COMMAND = struct("TPMS_AUTH_COMMAND", {
  sessionHandle: TPM_HANDLE,
  nonce: TPM2B_NONCE,
  sessionAttributes: TPMA_SESSION_WORD,
  hmac: TPM2B_AUTH,
});
export type TPMS_AUTH_COMMAND = Infer<typeof TPMS_AUTH_COMMAND>;
export const TPMS_AUTH_RESPONSE = struct("TPMS_AUTH_RESPONSE", {
  nonce: TPM2B_NONCE,
  sessionAttributes: TPMA_SESSION_WORD,
  hmac: TPM2B_AUTH,
});
export type TPMS_AUTH_RESPONSE = Infer<typeof TPMS_AUTH_RESPONSE>;


// ---------------------------------------------------------------------------------------------------------------
// Part 2 §6.8 TPM_EO (appended for the NV-based policies)

/** TPM_EO: the comparison TPM2_PolicyNV and TPM2_PolicyCounterTimer make between operand A and operand B. */
export const TPM_EO = {
  EQ: 0x0000,
  NEQ: 0x0001,
  SIGNED_GT: 0x0002,
  UNSIGNED_GT: 0x0003,
  SIGNED_LT: 0x0004,
  UNSIGNED_LT: 0x0005,
  SIGNED_GE: 0x0006,
  UNSIGNED_GE: 0x0007,
  SIGNED_LE: 0x0008,
  UNSIGNED_LE: 0x0009,
  BITSET: 0x000a,
  BITCLEAR: 0x000b,
} as const;
/** A TPM_EO on the wire: any other value is TPM_RC_VALUE. */
export const TPM_EO_VALUE = u16("TPM_EO", { values: Object.values(TPM_EO) });
// end of the TPM_EO block
