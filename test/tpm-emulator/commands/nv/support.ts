/** Helpers for the NV specs: index templates and calls with password authorization. */
import { TPM_ALG, TPMA_NV, pw, type TPMS_NV_PUBLIC } from "../../../../tpm2/index.js";
import { EMPTY, type StartedTpm } from "../session/support.js";

export const A = TPMA_NV;
export const OWNER_INDEX = 0x01500016;
/** The RSA EK certificate index of the TCG EK Credential Profile. */
export const EK_CERT_INDEX = 0x01c00002;
export const OWNER_RW = A.OWNERREAD | A.OWNERWRITE | A.AUTHREAD | A.AUTHWRITE;
/** What tpm2_nvdefine -C p -a "ppwrite|ppread|ownerread|authread|no_da|platformcreate" asks for. */
export const EK_CERT_ATTRIBUTES = A.PPWRITE | A.PPREAD | A.OWNERREAD | A.AUTHREAD | A.NO_DA | A.PLATFORMCREATE;

export function nvPublic(nvIndex: number, attributes: number, dataSize = 32, extra: Partial<TPMS_NV_PUBLIC> = {}): TPMS_NV_PUBLIC {
  return { nvIndex, nameAlg: TPM_ALG.SHA256, attributes, authPolicy: EMPTY, dataSize, ...extra };
}

export function define(t: StartedTpm, authHandle: number, publicInfo: TPMS_NV_PUBLIC, auth: Uint8Array = EMPTY, authValue = "") {
  return t.client.call("NV_DefineSpace", { handles: [authHandle], auths: [pw(authValue)], params: { auth, publicInfo } });
}

export function write(t: StartedTpm, authHandle: number, index: number, data: Uint8Array, offset = 0, authValue: Uint8Array | string = "") {
  return t.client.call("NV_Write", { handles: [authHandle, index], auths: [pw(authValue)], params: { data, offset } });
}

export function read(t: StartedTpm, authHandle: number, index: number, size: number, offset = 0, authValue: Uint8Array | string = "") {
  return t.client.call("NV_Read", { handles: [authHandle, index], auths: [pw(authValue)], params: { size, offset } });
}

export function undefine(t: StartedTpm, authHandle: number, index: number) {
  return t.client.call("NV_UndefineSpace", { handles: [authHandle, index], auths: [pw()], params: {} });
}
