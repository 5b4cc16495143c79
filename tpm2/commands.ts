/**
 * TPM 2.0 commands as data (Part 3): handle area, authorization roles, parameters and response, declared once
 * and used by both the emulator (to parse commands, build responses) and clients (to build commands).
 */
import { INT32, TPMI_YES_NO, UINT16, UINT32, UINT8, type Infer } from "./codec.js";
import { command, type CommandDef } from "./command-def.js";
import { ADMIN_COMMANDS } from "./commands-admin.js";
import { CRYPTO_COMMANDS } from "./commands-crypto.js";
import { NV_COMMANDS } from "./commands-nv.js";
import * as S from "./structures.js";

export { command, type AuthRole, type CommandDef } from "./command-def.js";

const creationOut = {
  outPublic: S.TPM2B_PUBLIC,
  creationData: S.TPM2B_CREATION_DATA,
  creationHash: S.TPM2B_DIGEST,
  creationTicket: S.TPMT_TK_CREATION,
};
const signed = { inScheme: S.TPMT_SIG_SCHEME };

/** The commands this TPM implements, keyed by their Part 3 name. */
export const COMMANDS = {
  // Part 3 §9 start-up
  Startup: command("Startup", { params: { startupType: UINT16 } }),
  Shutdown: command("Shutdown", { params: { shutdownType: UINT16 } }),
  // §10 testing
  SelfTest: command("SelfTest", { params: { fullTest: TPMI_YES_NO } }),
  GetTestResult: command("GetTestResult", { response: { outData: S.TPM2B_MAX_BUFFER, testResult: UINT32 } }),
  // §11 sessions
  StartAuthSession: command("StartAuthSession", {
    handles: { tpmKey: "none", bind: "none" },
    params: {
      nonceCaller: S.TPM2B_NONCE,
      encryptedSalt: S.TPM2B_ENCRYPTED_SECRET,
      sessionType: UINT8,
      symmetric: S.TPMT_SYM_DEF,
      authHash: S.TPMI_ALG_HASH,
    },
    responseHandle: "sessionHandle",
    response: { nonceTPM: S.TPM2B_NONCE },
  }),
  PolicyRestart: command("PolicyRestart", { handles: { sessionHandle: "none" } }),
  // §12 objects
  Create: command("Create", {
    handles: { parentHandle: "user" },
    params: {
      inSensitive: S.TPM2B_SENSITIVE_CREATE,
      inPublic: S.TPM2B_PUBLIC,
      outsideInfo: S.TPM2B_DATA,
      creationPCR: S.TPML_PCR_SELECTION,
    },
    response: { outPrivate: S.TPM2B_PRIVATE, ...creationOut },
  }),
  Load: command("Load", {
    handles: { parentHandle: "user" },
    params: { inPrivate: S.TPM2B_PRIVATE, inPublic: S.TPM2B_PUBLIC },
    responseHandle: "objectHandle",
    response: { name: S.TPM2B_NAME },
  }),
  LoadExternal: command("LoadExternal", {
    params: { inPrivate: S.TPM2B_SENSITIVE, inPublic: S.TPM2B_PUBLIC, hierarchy: UINT32 },
    responseHandle: "objectHandle",
    response: { name: S.TPM2B_NAME },
  }),
  ReadPublic: command("ReadPublic", {
    handles: { objectHandle: "none" },
    response: { outPublic: S.TPM2B_PUBLIC, name: S.TPM2B_NAME, qualifiedName: S.TPM2B_NAME },
  }),
  ActivateCredential: command("ActivateCredential", {
    handles: { activateHandle: "admin", keyHandle: "user" },
    params: { credentialBlob: S.TPM2B_ID_OBJECT, secret: S.TPM2B_ENCRYPTED_SECRET },
    response: { certInfo: S.TPM2B_DIGEST },
  }),
  MakeCredential: command("MakeCredential", {
    handles: { handle: "none" },
    params: { credential: S.TPM2B_DIGEST, objectName: S.TPM2B_NAME },
    response: { credentialBlob: S.TPM2B_ID_OBJECT, secret: S.TPM2B_ENCRYPTED_SECRET },
  }),
  // §15 hash
  Hash: command("Hash", {
    params: { data: S.TPM2B_MAX_BUFFER, hashAlg: S.TPMI_ALG_HASH, hierarchy: UINT32 },
    response: { outHash: S.TPM2B_DIGEST, validation: S.TPMT_TK_HASHCHECK },
  }),
  // §16 random
  GetRandom: command("GetRandom", {
    params: { bytesRequested: UINT16 },
    response: { randomBytes: S.TPM2B_DIGEST },
  }),
  StirRandom: command("StirRandom", { params: { inData: S.TPM2B_SENSITIVE_DATA } }),
  // §18 attestation
  Certify: command("Certify", {
    handles: { objectHandle: "admin", signHandle: "user" },
    params: { qualifyingData: S.TPM2B_DATA, ...signed },
    response: { certifyInfo: S.TPM2B_ATTEST, signature: S.TPMT_SIGNATURE },
  }),
  CertifyCreation: command("CertifyCreation", {
    handles: { signHandle: "user", objectHandle: "none" },
    params: {
      qualifyingData: S.TPM2B_DATA,
      creationHash: S.TPM2B_DIGEST,
      ...signed,
      creationTicket: S.TPMT_TK_CREATION,
    },
    response: { certifyInfo: S.TPM2B_ATTEST, signature: S.TPMT_SIGNATURE },
  }),
  Quote: command("Quote", {
    handles: { signHandle: "user" },
    params: { qualifyingData: S.TPM2B_DATA, ...signed, PCRselect: S.TPML_PCR_SELECTION },
    response: { quoted: S.TPM2B_ATTEST, signature: S.TPMT_SIGNATURE },
  }),
  // §20 signing
  VerifySignature: command("VerifySignature", {
    handles: { keyHandle: "none" },
    params: { digest: S.TPM2B_DIGEST, signature: S.TPMT_SIGNATURE },
    response: { validation: S.TPMT_TK_VERIFIED },
  }),
  Sign: command("Sign", {
    handles: { keyHandle: "user" },
    params: { digest: S.TPM2B_DIGEST, ...signed, validation: S.TPMT_TK_HASHCHECK },
    response: { signature: S.TPMT_SIGNATURE },
  }),
  // §22 PCRs
  PCR_Extend: command("PCR_Extend", { handles: { pcrHandle: "user" }, params: { digests: S.TPML_DIGEST_VALUES } }),
  PCR_Event: command("PCR_Event", {
    handles: { pcrHandle: "user" },
    params: { eventData: S.TPM2B_EVENT },
    response: { digests: S.TPML_DIGEST_VALUES },
  }),
  PCR_Read: command("PCR_Read", {
    params: { pcrSelectionIn: S.TPML_PCR_SELECTION },
    response: { pcrUpdateCounter: UINT32, pcrSelectionOut: S.TPML_PCR_SELECTION, pcrValues: S.TPML_DIGEST },
  }),
  PCR_Reset: command("PCR_Reset", { handles: { pcrHandle: "user" } }),
  // §23 enhanced authorization
  PolicySecret: command("PolicySecret", {
    handles: { authHandle: "user", policySession: "none" },
    params: { nonceTPM: S.TPM2B_NONCE, cpHashA: S.TPM2B_DIGEST, policyRef: S.TPM2B_NONCE, expiration: INT32 },
    response: { timeout: S.TPM2B_TIMEOUT, policyTicket: S.TPMT_TK_AUTH },
  }),
  PolicyPCR: command("PolicyPCR", {
    handles: { policySession: "none" },
    params: { pcrDigest: S.TPM2B_DIGEST, pcrs: S.TPML_PCR_SELECTION },
  }),
  PolicyCommandCode: command("PolicyCommandCode", { handles: { policySession: "none" }, params: { code: UINT32 } }),
  PolicyAuthValue: command("PolicyAuthValue", { handles: { policySession: "none" } }),
  PolicyPassword: command("PolicyPassword", { handles: { policySession: "none" } }),
  PolicyGetDigest: command("PolicyGetDigest", {
    handles: { policySession: "none" },
    response: { policyDigest: S.TPM2B_DIGEST },
  }),
  // §24 hierarchy
  CreatePrimary: command("CreatePrimary", {
    handles: { primaryHandle: "user" },
    params: {
      inSensitive: S.TPM2B_SENSITIVE_CREATE,
      inPublic: S.TPM2B_PUBLIC,
      outsideInfo: S.TPM2B_DATA,
      creationPCR: S.TPML_PCR_SELECTION,
    },
    responseHandle: "objectHandle",
    response: { ...creationOut, name: S.TPM2B_NAME },
  }),
  HierarchyChangeAuth: command("HierarchyChangeAuth", { handles: { authHandle: "user" }, params: { newAuth: S.TPM2B_AUTH } }),
  Clear: command("Clear", { handles: { authHandle: "user" } }),
  // §28 context management
  ContextSave: command("ContextSave", { handles: { saveHandle: "none" }, response: { context: S.TPMS_CONTEXT } }),
  ContextLoad: command("ContextLoad", { params: { context: S.TPMS_CONTEXT }, responseHandle: "loadedHandle" }),
  FlushContext: command("FlushContext", { params: { flushHandle: UINT32 } }),
  EvictControl: command("EvictControl", {
    handles: { auth: "user", objectHandle: "none" },
    params: { persistentHandle: UINT32 },
  }),
  // §29 clocks
  ReadClock: command("ReadClock", { response: { currentTime: S.TPMS_TIME_INFO } }),
  // §30 capability
  GetCapability: command("GetCapability", {
    params: { capability: UINT32, property: UINT32, propertyCount: UINT32 },
    response: { moreData: TPMI_YES_NO, capabilityData: S.TPMS_CAPABILITY_DATA },
  }),
  TestParms: command("TestParms", { params: { parameters: S.TPMT_PUBLIC_PARMS } }),
  // §31 NV
  NV_DefineSpace: command("NV_DefineSpace", {
    handles: { authHandle: "user" },
    params: { auth: S.TPM2B_AUTH, publicInfo: S.TPM2B_NV_PUBLIC },
  }),
  NV_UndefineSpace: command("NV_UndefineSpace", { handles: { authHandle: "user", nvIndex: "none" } }),
  NV_ReadPublic: command("NV_ReadPublic", {
    handles: { nvIndex: "none" },
    response: { nvPublic: S.TPM2B_NV_PUBLIC, nvName: S.TPM2B_NAME },
  }),
  NV_Write: command("NV_Write", {
    handles: { authHandle: "user", nvIndex: "none" },
    params: { data: S.TPM2B_MAX_NV_BUFFER, offset: UINT16 },
  }),
  NV_Read: command("NV_Read", {
    handles: { authHandle: "user", nvIndex: "none" },
    params: { size: UINT16, offset: UINT16 },
    response: { data: S.TPM2B_MAX_NV_BUFFER },
  }),
  ...NV_COMMANDS,
  ...CRYPTO_COMMANDS,
  ...ADMIN_COMMANDS,
} as const;

export type CommandName = keyof typeof COMMANDS;
export type CommandParams<N extends CommandName> = Infer<(typeof COMMANDS)[N]["params"]>;
export type CommandResponse<N extends CommandName> = Infer<(typeof COMMANDS)[N]["response"]>;

/** Commands by code. */
export const COMMANDS_BY_CODE: ReadonlyMap<number, CommandDef> = new Map(
  Object.values(COMMANDS).map((c) => [c.code, c as CommandDef]),
);
