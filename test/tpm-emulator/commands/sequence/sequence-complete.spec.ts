import { expect } from "chai";
import { createHash, randomBytes } from "node:crypto";
import { TPM_ALG, TPM_RC, TPM_RC_1, TPM_RC_S, TPM_RH, TPM_ST, type TpmClient } from "../../../../tpm2/index.js";
import type { TpmEmulator } from "../../../../tpm-emulator/index.js";
import { atHandle, atParameter, createPrimary, signingKeyTemplate, startedTpm } from "../key-fixture.js";
import { complete, digestOf, start, update } from "./support.js";

describe("TPM2_SequenceComplete", () => {
  let client: TpmClient;
  let tpm: TpmEmulator;
  beforeEach(async () => ({ client, tpm } = await startedTpm()));

  it("hashes data of any length as node:crypto does, and frees the sequence's object slot", async () => {
    const data = randomBytes(5000);
    const free = tpm.runtime.objects.free;
    const handle = await start(client, TPM_ALG.SHA384);
    expect(tpm.runtime.objects.free).to.equal(free - 1);
    const out = await digestOf(client, handle, data);
    expect(out.rc).to.equal(TPM_RC.SUCCESS);
    expect(Buffer.from(out.response!.result).equals(createHash("sha384").update(data).digest())).to.equal(true);
    expect(tpm.runtime.objects.free).to.equal(free);
    expect((await update(client, handle, data.subarray(0, 4))).rc).to.equal(TPM_RC.REFERENCE_H0);
  });

  it("gives the same hash-check ticket as TPM2_Hash for the same data", async () => {
    const data = randomBytes(600);
    const hash = await client.run("Hash", { params: { data, hashAlg: TPM_ALG.SHA256, hierarchy: TPM_RH.OWNER } });
    const out = await digestOf(client, await start(client, TPM_ALG.SHA256), data);
    expect(out.response!.validation.tag).to.equal(TPM_ST.HASHCHECK);
    expect(out.response!.validation.hierarchy).to.equal(TPM_RH.OWNER);
    expect(Buffer.from(out.response!.validation.digest).equals(Buffer.from(hash.validation.digest))).to.equal(true);
    expect(out.response!.validation.digest.length).to.be.greaterThan(0);
  });

  it("gives the NULL ticket when the first block starts with TPM_GENERATED_VALUE, is shorter than 4 octets, or for TPM_RH_NULL", async () => {
    const forged = Buffer.concat([Buffer.from("ff544347", "hex"), randomBytes(100)]);
    for (const [first, hierarchy] of [
      [forged, TPM_RH.OWNER],
      [Buffer.from("abc"), TPM_RH.OWNER],
      [randomBytes(64), TPM_RH.NULL],
    ] as const) {
      const handle = await start(client, TPM_ALG.SHA256);
      await update(client, handle, first);
      const out = await complete(client, handle, randomBytes(64), hierarchy);
      expect(out.response!.validation.hierarchy).to.equal(TPM_RH.NULL);
      expect(out.response!.validation.digest.length).to.equal(0);
    }
  });

  it("with no update, the completing buffer decides the ticket", async () => {
    const out = await complete(client, await start(client, TPM_ALG.SHA256), randomBytes(32));
    expect(out.response!.validation.hierarchy).to.equal(TPM_RH.OWNER);
  });

  it("needs the sequence's authValue: a wrong one is TPM_RC_BAD_AUTH (sequences are DA-exempt)", async () => {
    const handle = await start(client, TPM_ALG.SHA256, "seq-secret");
    expect((await update(client, handle, Buffer.from("data"), "wrong")).rc).to.equal(TPM_RC.BAD_AUTH | TPM_RC_S | TPM_RC_1);
    expect((await update(client, handle, Buffer.from("data"), "seq-secret")).rc).to.equal(TPM_RC.SUCCESS);
    const out = await complete(client, handle, Buffer.alloc(0), TPM_RH.OWNER, "seq-secret");
    expect(Buffer.from(out.response!.result).equals(createHash("sha256").update("data").digest())).to.equal(true);
  });

  it("survives ContextSave, FlushContext and ContextLoad between updates (as under a resource manager)", async () => {
    const data = randomBytes(3000);
    let handle = await start(client, TPM_ALG.SHA256);
    for (let at = 0; at < data.length; at += 1000) {
      await update(client, handle, data.subarray(at, at + 1000));
      const saved = await client.run("ContextSave", { handles: [handle], params: {} });
      await client.flush(handle);
      handle = (await client.run("ContextLoad", { params: { context: saved.context } })).handle;
    }
    const out = await complete(client, handle, Buffer.alloc(0));
    expect(Buffer.from(out.response!.result).equals(createHash("sha256").update(data).digest())).to.equal(true);
  });

  it("refuses an ordinary object (TPM_RC_MODE + H1; SequenceUpdate: + P1, as libtpms), an event sequence (TPM_RC_MODE + H1) and a bad hierarchy (TPM_RC_VALUE + P2)", async () => {
    const key = await createPrimary(client, TPM_RH.OWNER, signingKeyTemplate("ecc"));
    expect((await complete(client, key.handle, Buffer.alloc(0))).rc).to.equal(atHandle(TPM_RC.MODE, 1));
    expect((await update(client, key.handle, Buffer.alloc(0))).rc).to.equal(atParameter(TPM_RC.MODE, 1));
    expect((await complete(client, await start(client, TPM_ALG.NULL), Buffer.alloc(0))).rc).to.equal(atHandle(TPM_RC.MODE, 1));
    expect((await complete(client, await start(client, TPM_ALG.SHA1), Buffer.alloc(0), TPM_RH.LOCKOUT)).rc).to.equal(atParameter(TPM_RC.VALUE, 2));
  });
});
