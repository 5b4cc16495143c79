/** Helpers for the NV specs: index templates and calls with password authorization. */
import { createHash } from "node:crypto";
import { TPM_ALG, TPM_CC, TPM_RH, TPMA_NV, pw, type TPMS_NV_PUBLIC } from "../../../../tpm2/index.js";
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

/** TPMA_NV with the index type `nt` (TPM_NT_*) in bits 7:4. */
export function ofType(nt: number, attributes: number): number {
  return (attributes | (nt << 4)) >>> 0;
}

/** A response code with handle number n, or parameter number n (Part 2 §6.6.3). */
export const atHandle = (rc: number, n: number): number => rc | (n * 0x100);
export const atParameter = (rc: number, n: number): number => rc | 0x40 | (n * 0x100);
export const atSession = (rc: number, n: number): number => rc | 0x800 | (n * 0x100);

/** A command on an (authHandle, nvIndex) pair with password authorization. */
export function nvCall(
  t: StartedTpm,
  name: "NV_Increment" | "NV_WriteLock" | "NV_ReadLock",
  authHandle: number,
  index: number,
  authValue: Uint8Array | string = "",
) {
  return t.client.call(name, { handles: [authHandle, index], auths: [pw(authValue)], params: {} });
}

/** The 8-octet value of a counter or bit-field index, read with owner authorization. */
export async function readU64(t: StartedTpm, index: number): Promise<bigint> {
  const r = await read(t, TPM_RH.OWNER, index, 8);
  if (!r.response) throw new Error(`NV_Read failed: 0x${r.rc.toString(16)}`);
  return Buffer.from(r.response.data).readBigUInt64BE(0);
}

/** The index's attributes as NV_ReadPublic reports them. */
export async function attributesOf(t: StartedTpm, index: number): Promise<number> {
  return (await t.client.run("NV_ReadPublic", { handles: [index], params: {} })).nvPublic.attributes;
}

/** The SHA-256 policy H(0…0 || TPM_CC_PolicyCommandCode || code) (Part 3 §23.11). */
export function commandCodePolicy(code: number): Buffer {
  const cc = Buffer.alloc(8);
  cc.writeUInt32BE(TPM_CC.PolicyCommandCode, 0);
  cc.writeUInt32BE(code, 4);
  return createHash("sha256").update(Buffer.alloc(32)).update(cc).digest();
}

/** A policy session that has run TPM2_PolicyCommandCode(code). */
export async function commandCodeSession(t: StartedTpm, code: number) {
  const session = await t.client.startSession({ type: "policy" });
  await t.client.run("PolicyCommandCode", { handles: [session.handle], params: { code } });
  return session;
}
