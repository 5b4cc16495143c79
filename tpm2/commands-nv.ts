/** Part 3 commands: NV indices beyond ordinary read/write, and the NV-based policies (Part 3 §23, §31). */
import { TPMI_YES_NO, UINT16, UINT64 } from "./codec.js";
import { command } from "./command-def.js";
import * as S from "./structures.js";

const nvWriteHandles = { authHandle: "user", nvIndex: "none" } as const;

export const NV_COMMANDS = {
  // §23 enhanced authorization
  PolicyNV: command("PolicyNV", {
    handles: { authHandle: "user", nvIndex: "none", policySession: "none" },
    params: { operandB: S.TPM2B_OPERAND, offset: UINT16, operation: S.TPM_EO_VALUE },
  }),
  PolicyNvWritten: command("PolicyNvWritten", { handles: { policySession: "none" }, params: { writtenSet: TPMI_YES_NO } }),
  PolicyAuthorizeNV: command("PolicyAuthorizeNV", {
    handles: { authHandle: "user", nvIndex: "none", policySession: "none" },
  }),
  // §31 NV
  NV_UndefineSpaceSpecial: command("NV_UndefineSpaceSpecial", { handles: { nvIndex: "admin", platform: "user" } }),
  NV_Increment: command("NV_Increment", { handles: nvWriteHandles }),
  NV_Extend: command("NV_Extend", { handles: nvWriteHandles, params: { data: S.TPM2B_MAX_NV_BUFFER } }),
  NV_SetBits: command("NV_SetBits", { handles: nvWriteHandles, params: { bits: UINT64 } }),
  NV_WriteLock: command("NV_WriteLock", { handles: nvWriteHandles }),
  NV_GlobalWriteLock: command("NV_GlobalWriteLock", { handles: { authHandle: "user" } }),
  NV_ReadLock: command("NV_ReadLock", { handles: nvWriteHandles }),
  NV_ChangeAuth: command("NV_ChangeAuth", { handles: { nvIndex: "admin" }, params: { newAuth: S.TPM2B_AUTH } }),
  NV_Certify: command("NV_Certify", {
    handles: { signHandle: "user", authHandle: "user", nvIndex: "none" },
    params: { qualifyingData: S.TPM2B_DATA, inScheme: S.TPMT_SIG_SCHEME, size: UINT16, offset: UINT16 },
    response: { certifyInfo: S.TPM2B_ATTEST, signature: S.TPMT_SIGNATURE },
  }),
} as const;
