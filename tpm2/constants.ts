/**
 * TPM 2.0 constants, TCG TPM 2.0 Library Part 2 (Structures) §6–§8. Names keep the spec's spelling.
 */

/** Part 2 §6.1 TPM_SPEC */
export const TPM_SPEC = { FAMILY: 0x322e3000, LEVEL: 0, VERSION: 159, YEAR: 2019, DAY_OF_YEAR: 312 } as const;

/** Part 2 §6.2 TPM_GENERATED: the magic of every TPMS_ATTEST. */
export const TPM_GENERATED_VALUE = 0xff544347;

/** Part 2 §6.3 TPM_ALG_ID */
export const TPM_ALG = {
  ERROR: 0x0000,
  RSA: 0x0001,
  TDES: 0x0003,
  SHA1: 0x0004,
  HMAC: 0x0005,
  AES: 0x0006,
  MGF1: 0x0007,
  KEYEDHASH: 0x0008,
  XOR: 0x000a,
  SHA256: 0x000b,
  SHA384: 0x000c,
  SHA512: 0x000d,
  NULL: 0x0010,
  SM3_256: 0x0012,
  SM4: 0x0013,
  RSASSA: 0x0014,
  RSAES: 0x0015,
  RSAPSS: 0x0016,
  OAEP: 0x0017,
  ECDSA: 0x0018,
  ECDH: 0x0019,
  ECDAA: 0x001a,
  SM2: 0x001b,
  ECSCHNORR: 0x001c,
  ECMQV: 0x001d,
  KDF1_SP800_56A: 0x0020,
  KDF2: 0x0021,
  KDF1_SP800_108: 0x0022,
  ECC: 0x0023,
  SYMCIPHER: 0x0025,
  CAMELLIA: 0x0026,
  SHA3_256: 0x0027,
  SHA3_384: 0x0028,
  SHA3_512: 0x0029,
  CMAC: 0x003f,
  CTR: 0x0040,
  OFB: 0x0041,
  CBC: 0x0042,
  CFB: 0x0043,
  ECB: 0x0044,
} as const;


/** Part 2 §6.4 TPM_ECC_CURVE */
export const TPM_ECC_CURVE = {
  NONE: 0x0000,
  NIST_P192: 0x0001,
  NIST_P224: 0x0002,
  NIST_P256: 0x0003,
  NIST_P384: 0x0004,
  NIST_P521: 0x0005,
  BN_P256: 0x0010,
  BN_P638: 0x0011,
  SM2_P256: 0x0020,
} as const;

/** Part 2 §6.5.2 TPM_CC */
export const TPM_CC = {
  NV_UndefineSpaceSpecial: 0x11f,
  EvictControl: 0x120,
  HierarchyControl: 0x121,
  NV_UndefineSpace: 0x122,
  ChangeEPS: 0x124,
  ChangePPS: 0x125,
  Clear: 0x126,
  ClearControl: 0x127,
  ClockSet: 0x128,
  HierarchyChangeAuth: 0x129,
  NV_DefineSpace: 0x12a,
  PCR_Allocate: 0x12b,
  PCR_SetAuthPolicy: 0x12c,
  PP_Commands: 0x12d,
  SetPrimaryPolicy: 0x12e,
  FieldUpgradeStart: 0x12f,
  ClockRateAdjust: 0x130,
  CreatePrimary: 0x131,
  NV_GlobalWriteLock: 0x132,
  GetCommandAuditDigest: 0x133,
  NV_Increment: 0x134,
  NV_SetBits: 0x135,
  NV_Extend: 0x136,
  NV_Write: 0x137,
  NV_WriteLock: 0x138,
  DictionaryAttackLockReset: 0x139,
  DictionaryAttackParameters: 0x13a,
  NV_ChangeAuth: 0x13b,
  PCR_Event: 0x13c,
  PCR_Reset: 0x13d,
  SequenceComplete: 0x13e,
  SetAlgorithmSet: 0x13f,
  SetCommandCodeAuditStatus: 0x140,
  FieldUpgradeData: 0x141,
  IncrementalSelfTest: 0x142,
  SelfTest: 0x143,
  Startup: 0x144,
  Shutdown: 0x145,
  StirRandom: 0x146,
  ActivateCredential: 0x147,
  Certify: 0x148,
  PolicyNV: 0x149,
  CertifyCreation: 0x14a,
  Duplicate: 0x14b,
  GetTime: 0x14c,
  GetSessionAuditDigest: 0x14d,
  NV_Read: 0x14e,
  NV_ReadLock: 0x14f,
  ObjectChangeAuth: 0x150,
  PolicySecret: 0x151,
  Rewrap: 0x152,
  Create: 0x153,
  ECDH_ZGen: 0x154,
  HMAC: 0x155,
  Import: 0x156,
  Load: 0x157,
  Quote: 0x158,
  RSA_Decrypt: 0x159,
  HMAC_Start: 0x15b,
  SequenceUpdate: 0x15c,
  Sign: 0x15d,
  Unseal: 0x15e,
  PolicySigned: 0x160,
  ContextLoad: 0x161,
  ContextSave: 0x162,
  ECDH_KeyGen: 0x163,
  EncryptDecrypt: 0x164,
  FlushContext: 0x165,
  LoadExternal: 0x167,
  MakeCredential: 0x168,
  NV_ReadPublic: 0x169,
  PolicyAuthorize: 0x16a,
  PolicyAuthValue: 0x16b,
  PolicyCommandCode: 0x16c,
  PolicyCounterTimer: 0x16d,
  PolicyCpHash: 0x16e,
  PolicyLocality: 0x16f,
  PolicyNameHash: 0x170,
  PolicyOR: 0x171,
  PolicyTicket: 0x172,
  ReadPublic: 0x173,
  RSA_Encrypt: 0x174,
  StartAuthSession: 0x176,
  VerifySignature: 0x177,
  ECC_Parameters: 0x178,
  FirmwareRead: 0x179,
  GetCapability: 0x17a,
  GetRandom: 0x17b,
  GetTestResult: 0x17c,
  Hash: 0x17d,
  PCR_Read: 0x17e,
  PolicyPCR: 0x17f,
  PolicyRestart: 0x180,
  ReadClock: 0x181,
  PCR_Extend: 0x182,
  PCR_SetAuthValue: 0x183,
  NV_Certify: 0x184,
  EventSequenceComplete: 0x185,
  HashSequenceStart: 0x186,
  PolicyPhysicalPresence: 0x187,
  PolicyDuplicationSelect: 0x188,
  PolicyGetDigest: 0x189,
  TestParms: 0x18a,
  Commit: 0x18b,
  PolicyPassword: 0x18c,
  ZGen_2Phase: 0x18d,
  EC_Ephemeral: 0x18e,
  PolicyNvWritten: 0x18f,
  PolicyTemplate: 0x190,
  CreateLoaded: 0x191,
  PolicyAuthorizeNV: 0x192,
  EncryptDecrypt2: 0x193,
  AC_GetCapability: 0x194,
  AC_Send: 0x195,
  Policy_AC_SendSelect: 0x196,
  CertifyX509: 0x197,
} as const;
export type TPM_CC_NAME = keyof typeof TPM_CC;

const RC_VER1 = 0x100;
const RC_FMT1 = 0x080;
const RC_WARN = 0x900;

/** Part 2 §6.6 TPM_RC. Format-one codes (0x080 bit) get a handle, parameter or session number added. */
export const TPM_RC = {
  SUCCESS: 0x000,
  BAD_TAG: 0x01e,
  // format zero, version 1 (§6.6.3)
  INITIALIZE: RC_VER1 + 0x000,
  FAILURE: RC_VER1 + 0x001,
  SEQUENCE: RC_VER1 + 0x003,
  PRIVATE: RC_VER1 + 0x00b,
  HMAC: RC_VER1 + 0x019,
  DISABLED: RC_VER1 + 0x020,
  EXCLUSIVE: RC_VER1 + 0x021,
  AUTH_TYPE: RC_VER1 + 0x024,
  AUTH_MISSING: RC_VER1 + 0x025,
  POLICY: RC_VER1 + 0x026,
  PCR: RC_VER1 + 0x027,
  PCR_CHANGED: RC_VER1 + 0x028,
  UPGRADE: RC_VER1 + 0x02d,
  TOO_MANY_CONTEXTS: RC_VER1 + 0x02e,
  AUTH_UNAVAILABLE: RC_VER1 + 0x02f,
  REBOOT: RC_VER1 + 0x030,
  UNBALANCED: RC_VER1 + 0x031,
  COMMAND_SIZE: RC_VER1 + 0x042,
  COMMAND_CODE: RC_VER1 + 0x043,
  AUTHSIZE: RC_VER1 + 0x044,
  AUTH_CONTEXT: RC_VER1 + 0x045,
  NV_RANGE: RC_VER1 + 0x046,
  NV_SIZE: RC_VER1 + 0x047,
  NV_LOCKED: RC_VER1 + 0x048,
  NV_AUTHORIZATION: RC_VER1 + 0x049,
  NV_UNINITIALIZED: RC_VER1 + 0x04a,
  NV_SPACE: RC_VER1 + 0x04b,
  NV_DEFINED: RC_VER1 + 0x04c,
  BAD_CONTEXT: RC_VER1 + 0x050,
  CPHASH: RC_VER1 + 0x051,
  PARENT: RC_VER1 + 0x052,
  NEEDS_TEST: RC_VER1 + 0x053,
  NO_RESULT: RC_VER1 + 0x054,
  SENSITIVE: RC_VER1 + 0x055,
  // format one (§6.6.3)
  ASYMMETRIC: RC_FMT1 + 0x001,
  ATTRIBUTES: RC_FMT1 + 0x002,
  HASH: RC_FMT1 + 0x003,
  VALUE: RC_FMT1 + 0x004,
  HIERARCHY: RC_FMT1 + 0x005,
  KEY_SIZE: RC_FMT1 + 0x007,
  MGF: RC_FMT1 + 0x008,
  MODE: RC_FMT1 + 0x009,
  TYPE: RC_FMT1 + 0x00a,
  HANDLE: RC_FMT1 + 0x00b,
  KDF: RC_FMT1 + 0x00c,
  RANGE: RC_FMT1 + 0x00d,
  AUTH_FAIL: RC_FMT1 + 0x00e,
  NONCE: RC_FMT1 + 0x00f,
  PP: RC_FMT1 + 0x010,
  SCHEME: RC_FMT1 + 0x012,
  SIZE: RC_FMT1 + 0x015,
  SYMMETRIC: RC_FMT1 + 0x016,
  TAG: RC_FMT1 + 0x017,
  SELECTOR: RC_FMT1 + 0x018,
  INSUFFICIENT: RC_FMT1 + 0x01a,
  SIGNATURE: RC_FMT1 + 0x01b,
  KEY: RC_FMT1 + 0x01c,
  POLICY_FAIL: RC_FMT1 + 0x01d,
  INTEGRITY: RC_FMT1 + 0x01f,
  TICKET: RC_FMT1 + 0x020,
  RESERVED_BITS: RC_FMT1 + 0x021,
  BAD_AUTH: RC_FMT1 + 0x022,
  EXPIRED: RC_FMT1 + 0x023,
  POLICY_CC: RC_FMT1 + 0x024,
  BINDING: RC_FMT1 + 0x025,
  CURVE: RC_FMT1 + 0x026,
  ECC_POINT: RC_FMT1 + 0x027,
  // warnings (§6.6.3)
  CONTEXT_GAP: RC_WARN + 0x001,
  OBJECT_MEMORY: RC_WARN + 0x002,
  SESSION_MEMORY: RC_WARN + 0x003,
  MEMORY: RC_WARN + 0x004,
  SESSION_HANDLES: RC_WARN + 0x005,
  OBJECT_HANDLES: RC_WARN + 0x006,
  LOCALITY: RC_WARN + 0x007,
  YIELDED: RC_WARN + 0x008,
  CANCELED: RC_WARN + 0x009,
  TESTING: RC_WARN + 0x00a,
  REFERENCE_H0: RC_WARN + 0x010,
  REFERENCE_S0: RC_WARN + 0x018,
  NV_RATE: RC_WARN + 0x020,
  LOCKOUT: RC_WARN + 0x021,
  RETRY: RC_WARN + 0x022,
  NV_UNAVAILABLE: RC_WARN + 0x023,
} as const;

/** Part 2 §6.6.3: bits added to a format-one code to say what it refers to. */
export const TPM_RC_H = 0x000;
export const TPM_RC_P = 0x040;
export const TPM_RC_S = 0x800;
export const TPM_RC_1 = 0x100;

/** Part 2 §6.9 TPM_ST */
export const TPM_ST = {
  RSP_COMMAND: 0x00c4,
  NULL: 0x8000,
  NO_SESSIONS: 0x8001,
  SESSIONS: 0x8002,
  ATTEST_NV: 0x8014,
  ATTEST_COMMAND_AUDIT: 0x8015,
  ATTEST_SESSION_AUDIT: 0x8016,
  ATTEST_CERTIFY: 0x8017,
  ATTEST_QUOTE: 0x8018,
  ATTEST_TIME: 0x8019,
  ATTEST_CREATION: 0x801a,
  ATTEST_NV_DIGEST: 0x801c,
  CREATION: 0x8021,
  VERIFIED: 0x8022,
  AUTH_SECRET: 0x8023,
  HASHCHECK: 0x8024,
  AUTH_SIGNED: 0x8025,
  FU_MANIFEST: 0x8029,
} as const;

/** Part 2 §6.10 TPM_SU */
export const TPM_SU = { CLEAR: 0x0000, STATE: 0x0001 } as const;

/** Part 2 §6.11 TPM_SE */
export const TPM_SE = { HMAC: 0x00, POLICY: 0x01, TRIAL: 0x03 } as const;

/** Part 2 §6.12 TPM_CAP */
export const TPM_CAP = {
  ALGS: 0x00000000,
  HANDLES: 0x00000001,
  COMMANDS: 0x00000002,
  PP_COMMANDS: 0x00000003,
  AUDIT_COMMANDS: 0x00000004,
  PCRS: 0x00000005,
  TPM_PROPERTIES: 0x00000006,
  PCR_PROPERTIES: 0x00000007,
  ECC_CURVES: 0x00000008,
  AUTH_POLICIES: 0x00000009,
  ACT: 0x0000000a,
} as const;

const PT_FIXED = 0x100;
const PT_VAR = 0x200;

/** Part 2 §6.13 TPM_PT */
export const TPM_PT = {
  NONE: 0x00000000,
  PT_FIXED,
  FAMILY_INDICATOR: PT_FIXED + 0,
  LEVEL: PT_FIXED + 1,
  REVISION: PT_FIXED + 2,
  DAY_OF_YEAR: PT_FIXED + 3,
  YEAR: PT_FIXED + 4,
  MANUFACTURER: PT_FIXED + 5,
  VENDOR_STRING_1: PT_FIXED + 6,
  VENDOR_STRING_2: PT_FIXED + 7,
  VENDOR_STRING_3: PT_FIXED + 8,
  VENDOR_STRING_4: PT_FIXED + 9,
  VENDOR_TPM_TYPE: PT_FIXED + 10,
  FIRMWARE_VERSION_1: PT_FIXED + 11,
  FIRMWARE_VERSION_2: PT_FIXED + 12,
  INPUT_BUFFER: PT_FIXED + 13,
  HR_TRANSIENT_MIN: PT_FIXED + 14,
  HR_PERSISTENT_MIN: PT_FIXED + 15,
  HR_LOADED_MIN: PT_FIXED + 16,
  ACTIVE_SESSIONS_MAX: PT_FIXED + 17,
  PCR_COUNT: PT_FIXED + 18,
  PCR_SELECT_MIN: PT_FIXED + 19,
  CONTEXT_GAP_MAX: PT_FIXED + 20,
  NV_COUNTERS_MAX: PT_FIXED + 22,
  NV_INDEX_MAX: PT_FIXED + 23,
  MEMORY: PT_FIXED + 24,
  CLOCK_UPDATE: PT_FIXED + 25,
  CONTEXT_HASH: PT_FIXED + 26,
  CONTEXT_SYM: PT_FIXED + 27,
  CONTEXT_SYM_SIZE: PT_FIXED + 28,
  ORDERLY_COUNT: PT_FIXED + 29,
  MAX_COMMAND_SIZE: PT_FIXED + 30,
  MAX_RESPONSE_SIZE: PT_FIXED + 31,
  MAX_DIGEST: PT_FIXED + 32,
  MAX_OBJECT_CONTEXT: PT_FIXED + 33,
  MAX_SESSION_CONTEXT: PT_FIXED + 34,
  PS_FAMILY_INDICATOR: PT_FIXED + 35,
  PS_LEVEL: PT_FIXED + 36,
  PS_REVISION: PT_FIXED + 37,
  PS_DAY_OF_YEAR: PT_FIXED + 38,
  PS_YEAR: PT_FIXED + 39,
  SPLIT_MAX: PT_FIXED + 40,
  TOTAL_COMMANDS: PT_FIXED + 41,
  LIBRARY_COMMANDS: PT_FIXED + 42,
  VENDOR_COMMANDS: PT_FIXED + 43,
  NV_BUFFER_MAX: PT_FIXED + 44,
  MODES: PT_FIXED + 45,
  MAX_CAP_BUFFER: PT_FIXED + 46,
  PT_VAR,
  PERMANENT: PT_VAR + 0,
  STARTUP_CLEAR: PT_VAR + 1,
  HR_NV_INDEX: PT_VAR + 2,
  HR_LOADED: PT_VAR + 3,
  HR_LOADED_AVAIL: PT_VAR + 4,
  HR_ACTIVE: PT_VAR + 5,
  HR_ACTIVE_AVAIL: PT_VAR + 6,
  HR_TRANSIENT_AVAIL: PT_VAR + 7,
  HR_PERSISTENT: PT_VAR + 8,
  HR_PERSISTENT_AVAIL: PT_VAR + 9,
  NV_COUNTERS: PT_VAR + 10,
  NV_COUNTERS_AVAIL: PT_VAR + 11,
  ALGORITHM_SET: PT_VAR + 12,
  LOADED_CURVES: PT_VAR + 13,
  LOCKOUT_COUNTER: PT_VAR + 14,
  MAX_AUTH_FAIL: PT_VAR + 15,
  LOCKOUT_INTERVAL: PT_VAR + 16,
  LOCKOUT_RECOVERY: PT_VAR + 17,
  NV_WRITE_RECOVERY: PT_VAR + 18,
  AUDIT_COUNTER_0: PT_VAR + 19,
  AUDIT_COUNTER_1: PT_VAR + 20,
} as const;

/** Part 2 §6.14 TPM_PT_PCR */
export const TPM_PT_PCR = {
  SAVE: 0x00,
  EXTEND_L0: 0x01,
  RESET_L0: 0x02,
  EXTEND_L1: 0x03,
  RESET_L1: 0x04,
  EXTEND_L2: 0x05,
  RESET_L2: 0x06,
  EXTEND_L3: 0x07,
  RESET_L3: 0x08,
  EXTEND_L4: 0x09,
  RESET_L4: 0x0a,
  NO_INCREMENT: 0x11,
  DRTM_RESET: 0x12,
  POLICY: 0x13,
  AUTH: 0x14,
} as const;

/** Part 2 §7.2 TPM_HT */
export const TPM_HT = {
  PCR: 0x00,
  NV_INDEX: 0x01,
  HMAC_SESSION: 0x02,
  LOADED_SESSION: 0x02,
  POLICY_SESSION: 0x03,
  SAVED_SESSION: 0x03,
  PERMANENT: 0x40,
  TRANSIENT: 0x80,
  PERSISTENT: 0x81,
  AC: 0x90,
} as const;

/** Part 2 §7.4 TPM_RH (permanent handles) */
export const TPM_RH = {
  FIRST: 0x40000000,
  SRK: 0x40000000,
  OWNER: 0x40000001,
  REVOKE: 0x40000002,
  TRANSPORT: 0x40000003,
  OPERATOR: 0x40000004,
  ADMIN: 0x40000005,
  EK: 0x40000006,
  NULL: 0x40000007,
  UNASSIGNED: 0x40000008,
  PW: 0x40000009,
  LOCKOUT: 0x4000000a,
  ENDORSEMENT: 0x4000000b,
  PLATFORM: 0x4000000c,
  PLATFORM_NV: 0x4000000d,
  AUTH_00: 0x40000010,
  AUTH_FF: 0x4000010f,
} as const;

/** Part 2 §7.4: the password authorization session handle. */
export const TPM_RS_PW = 0x40000009;

/** Part 2 §7.5 TPM_HC */
export const TPM_HC = {
  HR_HANDLE_MASK: 0x00ffffff,
  HR_RANGE_MASK: 0xff000000,
  HR_SHIFT: 24,
  HR_PCR: 0x00000000,
  HR_HMAC_SESSION: 0x02000000,
  HR_POLICY_SESSION: 0x03000000,
  HR_TRANSIENT: 0x80000000,
  HR_PERSISTENT: 0x81000000,
  HR_NV_INDEX: 0x01000000,
  HR_PERMANENT: 0x40000000,
  PCR_FIRST: 0x00000000,
  HMAC_SESSION_FIRST: 0x02000000,
  POLICY_SESSION_FIRST: 0x03000000,
  TRANSIENT_FIRST: 0x80000000,
  PERSISTENT_FIRST: 0x81000000,
  PERSISTENT_LAST: 0x81ffffff,
  PLATFORM_PERSISTENT: 0x81800000,
  NV_INDEX_FIRST: 0x01000000,
  NV_INDEX_LAST: 0x01ffffff,
  PERMANENT_FIRST: 0x40000000,
  PERMANENT_LAST: 0x4000010f,
} as const;

/** Part 2 §8.2 TPMA_ALGORITHM */
export const TPMA_ALGORITHM = {
  asymmetric: 1 << 0,
  symmetric: 1 << 1,
  hash: 1 << 2,
  object: 1 << 3,
  signing: 1 << 8,
  encrypting: 1 << 9,
  method: 1 << 10,
} as const;

/** Part 2 §8.3 TPMA_OBJECT */
export const TPMA_OBJECT = {
  fixedTPM: 1 << 1,
  stClear: 1 << 2,
  fixedParent: 1 << 4,
  sensitiveDataOrigin: 1 << 5,
  userWithAuth: 1 << 6,
  adminWithPolicy: 1 << 7,
  noDA: 1 << 10,
  encryptedDuplication: 1 << 11,
  restricted: 1 << 16,
  decrypt: 1 << 17,
  sign: 1 << 18,
  x509sign: 1 << 19,
} as const;
/** Bits of TPMA_OBJECT that are reserved and must be clear (Part 2 §8.3.2). */
export const TPMA_OBJECT_RESERVED = 0xfff0f309;

/** Part 2 §8.4 TPMA_SESSION */
export const TPMA_SESSION = {
  continueSession: 1 << 0,
  auditExclusive: 1 << 1,
  auditReset: 1 << 2,
  decrypt: 1 << 5,
  encrypt: 1 << 6,
  audit: 1 << 7,
} as const;

/** Part 2 §8.5 TPMA_LOCALITY */
export const TPMA_LOCALITY = { ZERO: 1 << 0, ONE: 1 << 1, TWO: 1 << 2, THREE: 1 << 3, FOUR: 1 << 4 } as const;

/** Part 2 §8.6 TPMA_PERMANENT */
export const TPMA_PERMANENT = {
  ownerAuthSet: 1 << 0,
  endorsementAuthSet: 1 << 1,
  lockoutAuthSet: 1 << 2,
  disableClear: 1 << 8,
  inLockout: 1 << 9,
  tpmGeneratedEPS: 1 << 10,
} as const;

/** Part 2 §8.7 TPMA_STARTUP_CLEAR */
export const TPMA_STARTUP_CLEAR = {
  phEnable: 1 << 0,
  shEnable: 1 << 1,
  ehEnable: 1 << 2,
  phEnableNV: 1 << 3,
  orderly: 1 << 31,
} as const;

/** Part 2 §8.9 TPMA_CC: commandIndex in bits 0–15, attributes above. */
export const TPMA_CC = {
  commandIndexMask: 0xffff,
  nv: 1 << 22,
  extensive: 1 << 23,
  flushed: 1 << 24,
  cHandlesShift: 25,
  rHandle: 1 << 28,
  V: 1 << 29,
} as const;

/** Part 2 §13.2 TPM_NT (bits 7:4 of TPMA_NV) */
export const TPM_NT = { ORDINARY: 0x0, COUNTER: 0x1, BITS: 0x2, EXTEND: 0x4, PIN_FAIL: 0x8, PIN_PASS: 0x9 } as const;

/** Part 2 §13.4 TPMA_NV */
export const TPMA_NV = {
  PPWRITE: 1 << 0,
  OWNERWRITE: 1 << 1,
  AUTHWRITE: 1 << 2,
  POLICYWRITE: 1 << 3,
  TPM_NT_SHIFT: 4,
  TPM_NT_MASK: 0xf0,
  POLICY_DELETE: 1 << 10,
  WRITELOCKED: 1 << 11,
  WRITEALL: 1 << 12,
  WRITEDEFINE: 1 << 13,
  WRITE_STCLEAR: 1 << 14,
  GLOBALLOCK: 1 << 15,
  PPREAD: 1 << 16,
  OWNERREAD: 1 << 17,
  AUTHREAD: 1 << 18,
  POLICYREAD: 1 << 19,
  NO_DA: 1 << 25,
  ORDERLY: 1 << 26,
  CLEAR_STCLEAR: 1 << 27,
  READLOCKED: 1 << 28,
  WRITTEN: 1 << 29,
  PLATFORMCREATE: 1 << 30,
  READ_STCLEAR: 1 << 31,
} as const;
/** TPMA_NV bits 20–24 are reserved (Part 2 §13.4). */
export const TPMA_NV_RESERVED = 0x01f00300;

/** Size limits used by the codec (Part 2 §10–§11, for the profile this TPM implements). */
export const TPM_LIMITS = {
  MAX_DIGEST: 64,
  MAX_NV_BUFFER: 1024,
  MAX_BUFFER: 1024,
  /** RSA 3072, as libtpms builds it. */
  MAX_RSA_KEY_BYTES: 384,
  MAX_ECC_KEY_BYTES: 48,
  MAX_SYM_DATA: 128,
  MAX_SYM_KEY_BYTES: 32,
  MAX_CONTEXT_SIZE: 5120,
  MAX_COMMAND_SIZE: 4096,
  MAX_RESPONSE_SIZE: 4096,
  /** 24 PCRs: selections are 3 bytes (PC Client platform). */
  PCR_SELECT_MIN: 3,
  PCR_SELECT_MAX: 3,
  MAX_CAP_BUFFER: 1024,
  LABEL_MAX_BUFFER: 32,
  MAX_ACTIVE_SESSIONS: 64,
} as const;
