import { expect } from "chai";
import { TPM_ALG, TPM_RC, TPM_RC_1, TPM_RC_H, TPM_RH, TPMA_NV, pw } from "../../../../tpm2/index.js";
import { loadEccKey, startedTpm, type StartedTpm } from "../session/support.js";

const OWNER_INDEX = 0x01500001;
const PLATFORM_INDEX = 0x01c00002;

async function define(t: StartedTpm, authHandle: number, nvIndex: number, attributes: number) {
  await t.client.run("NV_DefineSpace", {
    handles: [authHandle],
    auths: [pw()],
    params: { auth: Buffer.alloc(0), publicInfo: { nvIndex, nameAlg: TPM_ALG.SHA256, attributes, authPolicy: Buffer.alloc(0), dataSize: 8 } },
  });
}

async function nvHandles(t: StartedTpm): Promise<unknown[]> {
  return (await t.client.run("GetCapability", { params: { capability: 1, property: 0x01000000, propertyCount: 10 } })).capabilityData.data;
}

describe("TPM2_Clear", () => {
  let t: StartedTpm;
  beforeEach(async () => {
    t = await startedTpm();
  });

  const clear = (authHandle: number, authValue = "") => t.client.call("Clear", { handles: [authHandle], auths: [pw(authValue)], params: {} });

  it("removes owner NV indices, keeps platform ones, and resets owner, endorsement and lockout auth", async () => {
    await define(t, TPM_RH.OWNER, OWNER_INDEX, TPMA_NV.OWNERREAD | TPMA_NV.OWNERWRITE);
    await define(t, TPM_RH.PLATFORM, PLATFORM_INDEX, TPMA_NV.PPREAD | TPMA_NV.PPWRITE | TPMA_NV.PLATFORMCREATE);
    for (const h of [TPM_RH.OWNER, TPM_RH.ENDORSEMENT, TPM_RH.LOCKOUT]) {
      await t.client.run("HierarchyChangeAuth", { handles: [h], auths: [pw()], params: { newAuth: Buffer.from("set") } });
    }
    const pcrCounter = (await t.client.run("PCR_Read", { params: { pcrSelectionIn: [] } })).pcrUpdateCounter;

    expect((await clear(TPM_RH.LOCKOUT, "set")).rc).to.equal(TPM_RC.SUCCESS);
    expect(await nvHandles(t)).to.deep.equal([PLATFORM_INDEX]);
    for (const h of [TPM_RH.OWNER, TPM_RH.ENDORSEMENT, TPM_RH.LOCKOUT]) {
      const r = await t.client.call("HierarchyChangeAuth", { handles: [h], auths: [pw()], params: { newAuth: Buffer.alloc(0) } });
      expect(r.rc, `0x${h.toString(16)}`).to.equal(TPM_RC.SUCCESS);
    }
    expect((await t.client.run("PCR_Read", { params: { pcrSelectionIn: [] } })).pcrUpdateCounter).to.equal(pcrCounter + 1);
  });

  it("changes the storage primary seed and removes loaded and persistent owner objects (platform authorization)", async () => {
    const state = t.tpm.runtime.state;
    const seed = Buffer.from(state.owner.seed);
    const endorsementSeed = Buffer.from(state.endorsement.seed);
    const key = loadEccKey(t.tpm);
    t.tpm.runtime.addPersistent(0x81000001, t.tpm.runtime.requireObject(key.handle));
    expect((await clear(TPM_RH.PLATFORM)).rc).to.equal(TPM_RC.SUCCESS);
    expect(Buffer.from(state.owner.seed)).to.not.deep.equal(seed);
    expect(Buffer.from(state.endorsement.seed)).to.deep.equal(endorsementSeed);
    const handles = await t.client.run("GetCapability", { params: { capability: 1, property: 0x80000000, propertyCount: 10 } });
    expect(handles.capabilityData.data).to.not.include(key.handle);
    const persistent = await t.client.run("GetCapability", { params: { capability: 1, property: 0x81000000, propertyCount: 10 } });
    expect(persistent.capabilityData.data).to.deep.equal([]);
  });

  it("needs lockout or platform authorization", async () => {
    expect((await clear(TPM_RH.OWNER)).rc).to.equal(TPM_RC.VALUE | TPM_RC_H | TPM_RC_1);
  });

  it("is refused while Clear is disabled (TPM_RC_DISABLED)", async () => {
    t.tpm.runtime.state.disableClear = true;
    expect((await clear(TPM_RH.LOCKOUT)).rc).to.equal(TPM_RC.DISABLED);
  });
});
