/** Helpers for the PCR specs. */
import { createHash } from "node:crypto";
import { TPM_ALG, pw } from "../../../../tpm2/index.js";
import type { StartedTpm } from "../session/support.js";

export const SHA = { [TPM_ALG.SHA1]: "sha1", [TPM_ALG.SHA256]: "sha256", [TPM_ALG.SHA384]: "sha384", [TPM_ALG.SHA512]: "sha512" } as const;

export function hash(alg: keyof typeof SHA, ...parts: Uint8Array[]): Buffer {
  const h = createHash(SHA[alg]);
  for (const p of parts) h.update(p);
  return h.digest();
}

/** A TPMS_PCR_SELECT bitmap (3 octets) with `pcrs` set. */
export function select(...pcrs: number[]): Buffer {
  const bits = Buffer.alloc(3);
  for (const pcr of pcrs) bits[pcr >> 3] = (bits[pcr >> 3] ?? 0) | (1 << (pcr & 7));
  return bits;
}

export async function readPcr(t: StartedTpm, alg: number, pcr: number): Promise<Buffer> {
  const r = await t.client.run("PCR_Read", { params: { pcrSelectionIn: [{ hash: alg, pcrSelect: select(pcr) }] } });
  return Buffer.from(r.pcrValues[0]!);
}

export async function updateCounter(t: StartedTpm): Promise<number> {
  return (await t.client.run("PCR_Read", { params: { pcrSelectionIn: [] } })).pcrUpdateCounter;
}

export function extend(t: StartedTpm, pcr: number, digests: { hashAlg: number; digest: Uint8Array }[]) {
  return t.client.call("PCR_Extend", { handles: [pcr], auths: [pw()], params: { digests } });
}
