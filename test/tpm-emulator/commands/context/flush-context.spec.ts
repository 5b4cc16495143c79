import { expect } from "chai";
import { TPM_CAP, TPM_RC, TPM_RC_1, TPM_RC_P, TPM_RH, pw } from "../../../../tpm2/index.js";
import { createPrimary, expectRc, srkTemplate, startTpm } from "../object/support.js";

const P1 = TPM_RC_P | TPM_RC_1;

describe("TPM2_FlushContext", () => {
  it("frees a transient object's slot", async () => {
    const { client } = await startTpm({ limits: { objectSlots: 1 } });
    const srk = await createPrimary(client, srkTemplate());
    await client.run("FlushContext", { params: { flushHandle: srk.handle } });
    expect((await client.call("ReadPublic", { handles: [srk.handle], params: {} })).rc).to.not.equal(TPM_RC.SUCCESS);
    expectRc((await client.call("FlushContext", { params: { flushHandle: srk.handle } })).rc, TPM_RC.HANDLE | P1);
    expect((await createPrimary(client, srkTemplate())).handle).to.equal(srk.handle);
  });

  it("flushes loaded and saved sessions", async () => {
    const { client } = await startTpm();
    const loaded = await client.startSession({ type: "hmac" });
    const saved = await client.startSession({ type: "policy" });
    const { context } = await client.run("ContextSave", { handles: [saved.handle], params: {} });
    await client.run("FlushContext", { params: { flushHandle: loaded.handle } });
    await client.run("FlushContext", { params: { flushHandle: saved.handle } });
    expectRc((await client.call("ContextLoad", { params: { context } })).rc, TPM_RC.HANDLE | P1);
    expectRc((await client.call("FlushContext", { params: { flushHandle: loaded.handle } })).rc, TPM_RC.HANDLE | P1);
  });

  it("flushes a saved policy session named with the HMAC prefix, as TPM_CAP_HANDLES lists saved sessions", async () => {
    const { client } = await startTpm();
    const saved = await client.startSession({ type: "policy" });
    const { context } = await client.run("ContextSave", { handles: [saved.handle], params: {} });
    const listed = await client.run("GetCapability", { params: { capability: TPM_CAP.HANDLES, property: 0x03000000, propertyCount: 8 } });
    const hmacPrefixed = (0x02000000 | (saved.handle & 0xffffff)) >>> 0;
    expect(listed.capabilityData.data).to.deep.equal([hmacPrefixed]);
    await client.run("FlushContext", { params: { flushHandle: hmacPrefixed } });
    expectRc((await client.call("ContextLoad", { params: { context } })).rc, TPM_RC.HANDLE | P1);
  });

  it("takes only transient object and session handles of this TPM", async () => {
    const { client } = await startTpm({ limits: { objectSlots: 3 } });
    const srk = await createPrimary(client, srkTemplate());
    await client.run("EvictControl", {
      handles: [TPM_RH.OWNER, srk.handle],
      auths: [pw()],
      params: { persistentHandle: 0x81000001 },
    });
    for (const flushHandle of [0x81000001, TPM_RH.OWNER, 0x01000001, 0x80000005]) {
      expectRc((await client.call("FlushContext", { params: { flushHandle } })).rc, TPM_RC.VALUE | P1);
    }
    expectRc((await client.call("ReadPublic", { handles: [0x81000001], params: {} })).rc, TPM_RC.SUCCESS);
    expectRc((await client.call("FlushContext", { params: { flushHandle: 0x02000005 } })).rc, TPM_RC.HANDLE | P1);
  });
});
