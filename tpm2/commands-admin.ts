/** Part 3 commands: hierarchy, dictionary-attack, clock, audit and the remaining policy commands (Part 3 §21, §23–§29). */
import { INT32, TPMI_YES_NO, UINT16, UINT32, UINT64, UINT8, u32, u8 } from "./codec.js";
import { command } from "./command-def.js";
import { TPM_RC, TPM_RH } from "./constants.js";
import * as S from "./structures.js";

/** Part 2 §6.3 TPM_CLOCK_ADJUST (an INT8 from -3 to 3, sent as its two's-complement octet). */
const TPM_CLOCK_ADJUST = u8("TPM_CLOCK_ADJUST", { values: [0xfd, 0xfe, 0xff, 0, 1, 2, 3], rc: TPM_RC.VALUE });

/** Part 2 §9.? TPMI_RH_ENABLES: the hierarchies TPM2_HierarchyControl switches. */
const TPMI_RH_ENABLES = u32("TPMI_RH_ENABLES", {
  values: [TPM_RH.OWNER, TPM_RH.ENDORSEMENT, TPM_RH.PLATFORM, TPM_RH.PLATFORM_NV],
  rc: TPM_RC.VALUE,
});

const signedAudit = { qualifyingData: S.TPM2B_DATA, inScheme: S.TPMT_SIG_SCHEME };
const auditOut = { auditInfo: S.TPM2B_ATTEST, signature: S.TPMT_SIGNATURE };

export const ADMIN_COMMANDS = {
  // §10 testing
  IncrementalSelfTest: command("IncrementalSelfTest", {
    params: { toTest: S.TPML_ALG },
    response: { toDoList: S.TPML_ALG },
  }),
  // §21 audit
  SetCommandCodeAuditStatus: command("SetCommandCodeAuditStatus", {
    handles: { auth: { role: "user", types: ["owner", "platform"] } },
    params: { auditAlg: S.TPMI_ALG_HASH_NULL, setList: S.TPML_CC, clearList: S.TPML_CC },
  }),
  GetCommandAuditDigest: command("GetCommandAuditDigest", {
    handles: { privacyHandle: { role: "user", types: ["endorsement"] }, signHandle: { role: "user", types: ["object", "null"] } },
    params: signedAudit,
    response: auditOut,
  }),
  GetSessionAuditDigest: command("GetSessionAuditDigest", {
    handles: {
      privacyAdminHandle: { role: "user", types: ["endorsement"] },
      signHandle: { role: "user", types: ["object", "null"] },
      sessionHandle: { role: "none", types: ["hmacSession"] },
    },
    params: signedAudit,
    response: auditOut,
  }),
  // §23 enhanced authorization
  PolicySigned: command("PolicySigned", {
    handles: { authObject: { role: "none", types: ["object"] }, policySession: { role: "none", types: ["policySession"] } },
    params: {
      nonceTPM: S.TPM2B_NONCE,
      cpHashA: S.TPM2B_DIGEST,
      policyRef: S.TPM2B_NONCE,
      expiration: INT32,
      auth: S.TPMT_SIGNATURE,
    },
    response: { timeout: S.TPM2B_TIMEOUT, policyTicket: S.TPMT_TK_AUTH },
  }),
  PolicyTicket: command("PolicyTicket", {
    handles: { policySession: { role: "none", types: ["policySession"] } },
    params: {
      timeout: S.TPM2B_TIMEOUT,
      cpHashA: S.TPM2B_DIGEST,
      policyRef: S.TPM2B_NONCE,
      authName: S.TPM2B_NAME,
      ticket: S.TPMT_TK_AUTH,
    },
  }),
  PolicyOR: command("PolicyOR", {
    handles: { policySession: { role: "none", types: ["policySession"] } },
    params: { pHashList: S.TPML_DIGEST },
  }),
  PolicyLocality: command("PolicyLocality", {
    handles: { policySession: { role: "none", types: ["policySession"] } },
    params: { locality: UINT8 },
  }),
  PolicyCounterTimer: command("PolicyCounterTimer", {
    handles: { policySession: { role: "none", types: ["policySession"] } },
    params: { operandB: S.TPM2B_OPERAND, offset: UINT16, operation: S.TPM_EO_VALUE },
  }),
  PolicyCpHash: command("PolicyCpHash", {
    handles: { policySession: { role: "none", types: ["policySession"] } },
    params: { cpHashA: S.TPM2B_DIGEST },
  }),
  PolicyNameHash: command("PolicyNameHash", {
    handles: { policySession: { role: "none", types: ["policySession"] } },
    params: { nameHash: S.TPM2B_DIGEST },
  }),
  PolicyDuplicationSelect: command("PolicyDuplicationSelect", {
    handles: { policySession: { role: "none", types: ["policySession"] } },
    params: { objectName: S.TPM2B_NAME, newParentName: S.TPM2B_NAME, includeObject: TPMI_YES_NO },
  }),
  PolicyAuthorize: command("PolicyAuthorize", {
    handles: { policySession: { role: "none", types: ["policySession"] } },
    params: {
      approvedPolicy: S.TPM2B_DIGEST,
      policyRef: S.TPM2B_NONCE,
      keySign: S.TPM2B_NAME,
      checkTicket: S.TPMT_TK_VERIFIED,
    },
  }),
  PolicyPhysicalPresence: command("PolicyPhysicalPresence", {
    handles: { policySession: { role: "none", types: ["policySession"] } },
  }),
  PolicyTemplate: command("PolicyTemplate", {
    handles: { policySession: { role: "none", types: ["policySession"] } },
    params: { templateHash: S.TPM2B_DIGEST },
  }),
  // §24 hierarchy
  HierarchyControl: command("HierarchyControl", {
    handles: { authHandle: { role: "user", types: ["owner", "endorsement", "platform"] } },
    params: { enable: TPMI_RH_ENABLES, state: TPMI_YES_NO },
  }),
  SetPrimaryPolicy: command("SetPrimaryPolicy", {
    handles: { authHandle: { role: "user", types: ["owner", "endorsement", "platform", "lockout"] } },
    params: { authPolicy: S.TPM2B_DIGEST, hashAlg: S.TPMI_ALG_HASH_NULL },
  }),
  ChangePPS: command("ChangePPS", { handles: { authHandle: { role: "user", types: ["platform"] } } }),
  ChangeEPS: command("ChangeEPS", { handles: { authHandle: { role: "user", types: ["platform"] } } }),
  ClearControl: command("ClearControl", {
    handles: { auth: { role: "user", types: ["lockout", "platform"] } },
    params: { disable: TPMI_YES_NO },
  }),
  // §22 PCRs
  PCR_Allocate: command("PCR_Allocate", {
    handles: { authHandle: { role: "user", types: ["platform"] } },
    params: { pcrAllocation: S.TPML_PCR_SELECTION },
    response: { allocationSuccess: TPMI_YES_NO, maxPCR: UINT32, sizeNeeded: UINT32, sizeAvailable: UINT32 },
  }),
  // §25 dictionary attack
  DictionaryAttackLockReset: command("DictionaryAttackLockReset", {
    handles: { lockHandle: { role: "user", types: ["lockout"] } },
  }),
  DictionaryAttackParameters: command("DictionaryAttackParameters", {
    handles: { lockHandle: { role: "user", types: ["lockout"] } },
    params: { newMaxTries: UINT32, newRecoveryTime: UINT32, lockoutRecovery: UINT32 },
  }),
  // §26 miscellaneous management
  PP_Commands: command("PP_Commands", {
    handles: { auth: { role: "user", types: ["platform"] } },
    params: { setList: S.TPML_CC, clearList: S.TPML_CC },
  }),
  // §29 clocks
  ClockSet: command("ClockSet", {
    handles: { auth: { role: "user", types: ["owner", "platform"] } },
    params: { newTime: UINT64 },
  }),
  ClockRateAdjust: command("ClockRateAdjust", {
    handles: { auth: { role: "user", types: ["owner", "platform"] } },
    params: { rateAdjust: TPM_CLOCK_ADJUST },
  }),
} as const;
