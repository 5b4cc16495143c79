// Drives hash, HMAC and event sequences through the byte interface.
import { TPM_RH, pw, type TpmClient } from "../../../../tpm2/index.js";

export const start = (client: TpmClient, hashAlg: number, auth = "") =>
  client.run("HashSequenceStart", { params: { auth: Buffer.from(auth), hashAlg } }).then((o) => o.handle);

export const update = (client: TpmClient, handle: number, buffer: Uint8Array, auth = "") =>
  client.call("SequenceUpdate", { handles: [handle], auths: [pw(auth)], params: { buffer } });

export const complete = (client: TpmClient, handle: number, buffer: Uint8Array, hierarchy: number = TPM_RH.OWNER, auth = "") =>
  client.call("SequenceComplete", { handles: [handle], auths: [pw(auth)], params: { buffer, hierarchy } });

/** Feeds `data` in chunks of at most 1024 octets (MAX_BUFFER) and completes with an empty buffer. */
export async function digestOf(client: TpmClient, handle: number, data: Buffer, hierarchy: number = TPM_RH.OWNER) {
  for (let at = 0; at < data.length; at += 1024) await update(client, handle, data.subarray(at, at + 1024));
  return complete(client, handle, Buffer.alloc(0), hierarchy);
}
