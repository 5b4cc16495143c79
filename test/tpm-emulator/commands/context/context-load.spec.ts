import { expect } from "chai";
import {
  TPMA_OBJECT as O,
  TPM_RC,
  TPM_RC_1,
  TPM_RC_P,
  TPM_RH,
  TPM_SU,
  pw,
  withSession,
  type TPMS_CONTEXT,
} from "../../../../tpm2/index.js";
import {
  createAndLoad,
  createPrimary,
  creation,
  ecdsaTemplate,
  expectRc,
  srkTemplate,
  startTpm,
  tpmReset,
  type Started,
} from "../object/support.js";

const P1 = TPM_RC_P | TPM_RC_1;

async function saveAndFlush({ client }: Started, handle: number): Promise<TPMS_CONTEXT> {
  const { context } = await client.run("ContextSave", { handles: [handle], params: {} });
  await client.run("FlushContext", { params: { flushHandle: handle } });
  return context;
}

function tampered(context: TPMS_CONTEXT, at: number): TPMS_CONTEXT {
  const blob = Buffer.from(context.contextBlob);
  blob[at] = blob[at]! ^ 0x01;
  return { ...context, contextBlob: blob };
}

describe("TPM2_ContextLoad", () => {
  it("brings a saved object back in a new slot, sensitive area included", async () => {
    const started = await startTpm();
    const { client } = started;
    const srk = await createPrimary(client, srkTemplate());
    const context = await saveAndFlush(started, srk.handle);
    const loaded = await client.run("ContextLoad", { params: { context } });
    const read = await client.run("ReadPublic", { handles: [loaded.handle], params: {} });
    expect(Buffer.from(read.name)).to.deep.equal(Buffer.from(srk.name));
    // the reloaded parent still wraps and unwraps children: its seedValue came back
    const key = await createAndLoad(client, loaded.handle, ecdsaTemplate());
    expect(key.handle >>> 24).to.equal(0x80);
  });

  it("brings a saved session back under its handle, nonces and all, once", async () => {
    const { client } = await startTpm();
    const session = await client.startSession({ type: "hmac" });
    const { context } = await client.run("ContextSave", { handles: [session.handle], params: {} });
    const loaded = await client.run("ContextLoad", { params: { context } });
    expect(loaded.handle).to.equal(session.handle);
    const used = await client.call("CreatePrimary", {
      handles: [TPM_RH.OWNER],
      auths: [withSession(session)],
      params: creation(ecdsaTemplate()),
    });
    expectRc(used.rc, TPM_RC.SUCCESS);
    expectRc((await client.call("ContextLoad", { params: { context } })).rc, TPM_RC.HANDLE | P1);
  });

  it("restores a session into the TPM's own session object, so state kept per session survives", async () => {
    const { tpm, client } = await startTpm();
    const session = await client.startSession({ type: "policy" });
    const before = tpm.runtime.sessions.loaded(session.handle)!;
    const { context } = await client.run("ContextSave", { handles: [session.handle], params: {} });
    await client.run("ContextLoad", { params: { context } });
    const after = tpm.runtime.sessions.loaded(session.handle);
    expect(after).to.equal(before);
    expect(after!.nonceTPM).to.deep.equal(session.nonceTPM);
  });

  it("loads only the latest context of a session, and none of a flushed one", async () => {
    const { client } = await startTpm();
    const session = await client.startSession({ type: "policy" });
    const older = (await client.run("ContextSave", { handles: [session.handle], params: {} })).context;
    await client.run("ContextLoad", { params: { context: older } });
    const newer = (await client.run("ContextSave", { handles: [session.handle], params: {} })).context;
    expectRc((await client.call("ContextLoad", { params: { context: older } })).rc, TPM_RC.HANDLE | P1);
    await client.run("FlushContext", { params: { flushHandle: session.handle } });
    expectRc((await client.call("ContextLoad", { params: { context: newer } })).rc, TPM_RC.HANDLE | P1);
  });

  it("refuses a tampered context blob or changed outer fields with TPM_RC_INTEGRITY", async () => {
    const started = await startTpm();
    const { client } = started;
    const context = await saveAndFlush(started, (await createPrimary(client, srkTemplate())).handle);
    const session = await client.startSession({ type: "hmac" });
    const sessionContext = (await client.run("ContextSave", { handles: [session.handle], params: {} })).context;
    const bad: TPMS_CONTEXT[] = [
      tampered(context, 2),
      tampered(context, 70),
      tampered(context, context.contextBlob.length - 1),
      { ...context, sequence: context.sequence + 1n },
      { ...context, hierarchy: TPM_RH.ENDORSEMENT },
      { ...context, savedHandle: 0x80000002 },
      tampered(sessionContext, sessionContext.contextBlob.length - 1),
      { ...sessionContext, savedHandle: sessionContext.savedHandle + 1 },
    ];
    for (const c of bad) expectRc((await client.call("ContextLoad", { params: { context: c } })).rc, TPM_RC.INTEGRITY | P1);
    expectRc((await client.call("ContextLoad", { params: { context: sessionContext } })).rc, TPM_RC.SUCCESS);
  });

  it("checks savedHandle, hierarchy and the blob's shape as the reference unmarshalling does", async () => {
    const started = await startTpm();
    const context = await saveAndFlush(started, (await createPrimary(started.client, srkTemplate())).handle);
    const load = (c: TPMS_CONTEXT) => started.client.call("ContextLoad", { params: { context: c } });
    expectRc((await load({ ...context, savedHandle: 0x81000000 })).rc, TPM_RC.VALUE | P1);
    expectRc((await load({ ...context, hierarchy: TPM_RH.LOCKOUT })).rc, TPM_RC.VALUE | P1);
    expectRc((await load({ ...context, contextBlob: Buffer.alloc(10) })).rc, TPM_RC.SIZE | P1);
    expectRc((await load({ ...context, contextBlob: Buffer.alloc(0) })).rc, TPM_RC.INSUFFICIENT);
  });

  it("keeps objects loadable across a TPM Reset, but not stClear objects, null-hierarchy objects or sessions", async () => {
    const started = await startTpm();
    const { client } = started;
    const plain = await saveAndFlush(started, (await createPrimary(client, srkTemplate())).handle);
    const stClearTemplate = { ...srkTemplate(), objectAttributes: srkTemplate().objectAttributes | O.stClear };
    const stClear = await saveAndFlush(started, (await createPrimary(client, stClearTemplate)).handle);
    const nullObject = await saveAndFlush(started, (await createPrimary(client, srkTemplate(), TPM_RH.NULL)).handle);
    const session = await client.startSession({ type: "hmac" });
    const sessionContext = (await client.run("ContextSave", { handles: [session.handle], params: {} })).context;

    await tpmReset(started);
    const load = async (c: TPMS_CONTEXT) => (await client.call("ContextLoad", { params: { context: c } })).rc;
    expectRc(await load(plain), TPM_RC.SUCCESS);
    expectRc(await load(stClear), TPM_RC.INTEGRITY | P1);
    expectRc(await load(nullObject), TPM_RC.INTEGRITY | P1);
    expectRc(await load(sessionContext), TPM_RC.INTEGRITY | P1);
  });

  it("refuses an stClear object after a TPM Restart and keeps it within one boot", async () => {
    const started = await startTpm();
    const { tpm, client } = started;
    const stClearTemplate = { ...srkTemplate(), objectAttributes: srkTemplate().objectAttributes | O.stClear };
    const context = await saveAndFlush(started, (await createPrimary(client, stClearTemplate)).handle);
    const loaded = await client.run("ContextLoad", { params: { context } });
    await client.run("FlushContext", { params: { flushHandle: loaded.handle } });

    await client.run("Shutdown", { params: { shutdownType: TPM_SU.STATE } });
    tpm.reset();
    await client.run("Startup", { params: { startupType: TPM_SU.CLEAR } });
    expectRc((await client.call("ContextLoad", { params: { context } })).rc, TPM_RC.INTEGRITY | P1);
  });

  it("binds an object to its hierarchy's proof: after TPM2_Clear owner objects no longer load", async () => {
    const started = await startTpm();
    const { client } = started;
    const owner = await saveAndFlush(started, (await createPrimary(client, srkTemplate())).handle);
    const platform = await saveAndFlush(started, (await createPrimary(client, srkTemplate(), TPM_RH.PLATFORM)).handle);
    await client.run("Clear", { handles: [TPM_RH.LOCKOUT], auths: [pw()], params: {} });
    expectRc((await client.call("ContextLoad", { params: { context: owner } })).rc, TPM_RC.INTEGRITY | P1);
    expectRc((await client.call("ContextLoad", { params: { context: platform } })).rc, TPM_RC.SUCCESS);
  });

  it("refuses objects of a disabled hierarchy and needs a free object slot", async () => {
    const started = await startTpm({ limits: { objectSlots: 2 } });
    const { tpm, client } = started;
    const context = await saveAndFlush(started, (await createPrimary(client, srkTemplate())).handle);
    tpm.runtime.state.shEnable = false;
    expectRc((await client.call("ContextLoad", { params: { context } })).rc, TPM_RC.HIERARCHY | P1);
    tpm.runtime.state.shEnable = true;
    await createPrimary(client, ecdsaTemplate(), TPM_RH.ENDORSEMENT);
    await createPrimary(client, ecdsaTemplate(), TPM_RH.ENDORSEMENT);
    expect((await client.call("ContextLoad", { params: { context } })).rc).to.equal(0x902);
  });
});
