import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect } from "chai";
import { TPMA_OBJECT as O, TPM_RC, TPM_RC_1, TPM_RC_P, TPM_RH, TPM_SU, TpmClient, pw } from "../../../../tpm2/index.js";
import { TpmEmulator } from "../../../../tpm-emulator/index.js";
import { createAndLoad, createPrimary, ecdsaTemplate, expectRc, srkTemplate, startTpm } from "../object/support.js";

const P1 = TPM_RC_P | TPM_RC_1;
const H1 = TPM_RC_1;
const H2 = 2 * TPM_RC_1;

function evict(client: TpmClient, auth: number, objectHandle: number, persistentHandle: number) {
  return client.call("EvictControl", { handles: [auth, objectHandle], auths: [pw()], params: { persistentHandle } });
}

describe("TPM2_EvictControl", () => {
  it("persists an object that ReadPublic then finds at its persistent handle, and removes it again", async () => {
    const { client } = await startTpm();
    const srk = await createPrimary(client, srkTemplate());
    expectRc((await evict(client, TPM_RH.OWNER, srk.handle, 0x81000001)).rc, TPM_RC.SUCCESS);
    const read = await client.run("ReadPublic", { handles: [0x81000001], params: {} });
    expect(Buffer.from(read.name)).to.deep.equal(Buffer.from(srk.name));
    // the persistent copy is a full parent: children can be created and loaded under it
    expect((await createAndLoad(client, 0x81000001, ecdsaTemplate())).handle >>> 24).to.equal(0x80);

    expectRc((await evict(client, TPM_RH.OWNER, 0x81000001, 0x81000001)).rc, TPM_RC.SUCCESS);
    expect((await client.call("ReadPublic", { handles: [0x81000001], params: {} })).rc).to.not.equal(TPM_RC.SUCCESS);
    expectRc((await client.call("ReadPublic", { handles: [srk.handle], params: {} })).rc, TPM_RC.SUCCESS);
  });

  it("keeps persistent objects in NV across power cycles", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "apsim-evict-"));
    try {
      const tpm = TpmEmulator.create({ stateDir: dir });
      const client = new TpmClient((c) => tpm.execute(c));
      await client.run("Startup", { params: { startupType: TPM_SU.CLEAR } });
      const srk = await createPrimary(client, srkTemplate());
      expectRc((await evict(client, TPM_RH.OWNER, srk.handle, 0x81000002)).rc, TPM_RC.SUCCESS);
      tpm.powerOff();
      const reopened = TpmEmulator.open(dir);
      const again = new TpmClient((c) => reopened.execute(c));
      await again.run("Startup", { params: { startupType: TPM_SU.CLEAR } });
      const read = await again.run("ReadPublic", { handles: [0x81000002], params: {} });
      expect(Buffer.from(read.name)).to.deep.equal(Buffer.from(srk.name));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("keeps owner and platform to their hierarchies and persistent ranges", async () => {
    const { client } = await startTpm();
    const owner = await createPrimary(client, srkTemplate());
    const platform = await createPrimary(client, srkTemplate(), TPM_RH.PLATFORM);
    expectRc((await evict(client, TPM_RH.OWNER, owner.handle, 0x81800010)).rc, TPM_RC.RANGE | P1);
    expectRc((await evict(client, TPM_RH.PLATFORM, owner.handle, 0x81800010)).rc, TPM_RC.HIERARCHY | H2);
    expectRc((await evict(client, TPM_RH.OWNER, platform.handle, 0x81000010)).rc, TPM_RC.HIERARCHY | H2);
    expectRc((await evict(client, TPM_RH.PLATFORM, platform.handle, 0x81000010)).rc, TPM_RC.RANGE | P1);
    expectRc((await evict(client, TPM_RH.ENDORSEMENT, owner.handle, 0x81000010)).rc, TPM_RC.VALUE | H1);
    expectRc((await evict(client, TPM_RH.OWNER, owner.handle, 0x80000010)).rc, TPM_RC.VALUE | P1);

    expectRc((await evict(client, TPM_RH.PLATFORM, platform.handle, 0x81800010)).rc, TPM_RC.SUCCESS);
    expectRc((await evict(client, TPM_RH.OWNER, 0x81800010, 0x81800010)).rc, TPM_RC.HIERARCHY | H2);
    expectRc((await evict(client, TPM_RH.OWNER, owner.handle, 0x81000010)).rc, TPM_RC.SUCCESS);
    // platformAuth may remove any persistent object
    expectRc((await evict(client, TPM_RH.PLATFORM, 0x81000010, 0x81000010)).rc, TPM_RC.SUCCESS);
  });

  it("refuses a taken handle, a mismatched persistent handle and a full NV", async () => {
    const { client } = await startTpm({ limits: { persistentObjects: 1 } });
    const srk = await createPrimary(client, srkTemplate());
    const other = await createPrimary(client, ecdsaTemplate());
    expectRc((await evict(client, TPM_RH.OWNER, srk.handle, 0x81000001)).rc, TPM_RC.SUCCESS);
    expectRc((await evict(client, TPM_RH.OWNER, other.handle, 0x81000001)).rc, TPM_RC.NV_DEFINED);
    expectRc((await evict(client, TPM_RH.OWNER, 0x81000001, 0x81000002)).rc, TPM_RC.HANDLE | H2);
    expectRc((await evict(client, TPM_RH.OWNER, other.handle, 0x81000002)).rc, TPM_RC.NV_SPACE);
  });

  it("refuses null-hierarchy, stClear and external objects", async () => {
    const { client } = await startTpm();
    const nullObject = await createPrimary(client, ecdsaTemplate(), TPM_RH.NULL);
    const stClear = await createPrimary(client, ecdsaTemplate(ecdsaTemplate().objectAttributes | O.stClear));
    const srk = await createPrimary(client, srkTemplate());
    const external = await client.run("LoadExternal", {
      params: { inPrivate: undefined, inPublic: srk.outPublic, hierarchy: TPM_RH.OWNER },
    });
    for (const handle of [nullObject.handle, stClear.handle, external.handle]) {
      expectRc((await evict(client, TPM_RH.OWNER, handle, 0x81000003)).rc, TPM_RC.ATTRIBUTES | H2);
    }
  });
});
