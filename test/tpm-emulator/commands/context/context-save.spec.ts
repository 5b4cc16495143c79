import { expect } from "chai";
import { TPMA_OBJECT as O, TPM_RC, TPM_RC_1, TPM_RH, pw, withSession } from "../../../../tpm2/index.js";
import { createPrimary, creation, ecdsaTemplate, expectRc, srkTemplate, startTpm } from "../object/support.js";

describe("TPM2_ContextSave", () => {
  it("saves an object, which stays loaded, under savedHandle 0x80000000 and its hierarchy", async () => {
    const { client } = await startTpm();
    const srk = await createPrimary(client, srkTemplate(), TPM_RH.ENDORSEMENT);
    const first = await client.run("ContextSave", { handles: [srk.handle], params: {} });
    const second = await client.run("ContextSave", { handles: [srk.handle], params: {} });
    expect(first.context.savedHandle).to.equal(0x80000000);
    expect(first.context.hierarchy).to.equal(TPM_RH.ENDORSEMENT);
    expect(second.context.sequence).to.not.equal(first.context.sequence);
    expect(Buffer.from(first.context.contextBlob).includes(Buffer.from(srk.name))).to.equal(false);
    expectRc((await client.call("ReadPublic", { handles: [srk.handle], params: {} })).rc, TPM_RC.SUCCESS);
  });

  it("marks an stClear object's context with savedHandle 0x80000002, and its children's too", async () => {
    const { client } = await startTpm();
    const template = { ...srkTemplate(), objectAttributes: srkTemplate().objectAttributes | O.stClear };
    const parent = await createPrimary(client, template);
    const saved = await client.run("ContextSave", { handles: [parent.handle], params: {} });
    expect(saved.context.savedHandle).to.equal(0x80000002);
    const child = await client.run("Create", { handles: [parent.handle], auths: [pw()], params: creation(ecdsaTemplate()) });
    const loaded = await client.run("Load", {
      handles: [parent.handle],
      auths: [pw()],
      params: { inPrivate: child.outPrivate, inPublic: child.outPublic },
    });
    const childContext = await client.run("ContextSave", { handles: [loaded.handle], params: {} });
    expect(childContext.context.savedHandle).to.equal(0x80000002);
  });

  it("saves a session in the null hierarchy and keeps its handle reserved while saved", async () => {
    const { client } = await startTpm();
    const session = await client.startSession({ type: "hmac" });
    const saved = await client.run("ContextSave", { handles: [session.handle], params: {} });
    expect(saved.context.savedHandle).to.equal(session.handle);
    expect(saved.context.hierarchy).to.equal(TPM_RH.NULL);

    const used = await client.call("CreatePrimary", {
      handles: [TPM_RH.OWNER],
      auths: [withSession(session)],
      params: creation(ecdsaTemplate()),
    });
    expect(used.rc).to.not.equal(TPM_RC.SUCCESS);
    const again = await client.call("ContextSave", { handles: [session.handle], params: {} });
    expect(again.rc).to.not.equal(TPM_RC.SUCCESS);
    const next = await client.startSession({ type: "hmac" });
    expect(next.handle).to.not.equal(session.handle);
  });

  it("takes only transient objects and sessions", async () => {
    const { client } = await startTpm();
    const srk = await createPrimary(client, srkTemplate());
    await client.run("EvictControl", {
      handles: [TPM_RH.OWNER, srk.handle],
      auths: [pw()],
      params: { persistentHandle: 0x81000001 },
    });
    const r = await client.call("ContextSave", { handles: [0x81000001], params: {} });
    expectRc(r.rc, TPM_RC.VALUE | TPM_RC_1);
  });

  it("answers TPM_RC_CONTEXT_GAP rather than let the oldest saved session become ambiguous", async () => {
    const { tpm, client } = await startTpm();
    const oldest = await client.startSession({ type: "policy" });
    const saved = await client.run("ContextSave", { handles: [oldest.handle], params: {} });
    const other = await client.startSession({ type: "policy" });
    tpm.runtime.contextCounter = saved.context.sequence + 0xffffn;
    expect((await client.call("ContextSave", { handles: [other.handle], params: {} })).rc).to.equal(TPM_RC.CONTEXT_GAP);
    await client.run("ContextLoad", { params: { context: saved.context } });
    expectRc((await client.call("ContextSave", { handles: [other.handle], params: {} })).rc, TPM_RC.SUCCESS);
  });
});
