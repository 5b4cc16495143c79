import { expect } from "chai";
import { TPM_CAP, TPM_CC, TPM_RC, TPM_RC_S, TPM_RC_1, TPM_RH, TPM_SU, TpmClient, pw, withSession } from "../../../../tpm2/index.js";
import { TpmEmulator } from "../../../../tpm-emulator/index.js";
import { startedTpm, type StartedTpm } from "../session/support.js";
import { A, commandCodePolicy, commandCodeSession, define, nvPublic } from "../nv/support.js";

/** TPM_RC_PP on session n. */
const ppOnSession = (n: number) => TPM_RC.PP | TPM_RC_S | (n * TPM_RC_1);

describe("TPM2_PP_Commands and physical presence", () => {
  let t: StartedTpm;
  let tpm: TpmEmulator;
  let client: TpmClient;
  beforeEach(async () => {
    t = await startedTpm();
    ({ tpm, client } = t);
  });

  const ppCommands = (setList: number[], clearList: number[] = []) =>
    client.call("PP_Commands", { handles: [TPM_RH.PLATFORM], auths: [pw()], params: { setList, clearList } });
  const listed = async (c: TpmClient = client) => {
    const out = await c.run("GetCapability", { params: { capability: TPM_CAP.PP_COMMANDS, property: 0, propertyCount: 64 } });
    return out.capabilityData.data as number[];
  };
  // Each successful ClockSet moves the clock forward, and it keeps running: every call asks for a later time.
  let nextTime = 10n ** 12n;
  const clockSet = (auth: number) => {
    nextTime += 10n ** 9n;
    return client.call("ClockSet", { handles: [auth], auths: [pw()], params: { newTime: nextTime } });
  };

  it("needs physical presence itself: TPM_RC_PP on session 1 without it, success with it", async () => {
    expect(await listed()).to.deep.equal([TPM_CC.PP_Commands]);
    expect((await ppCommands([TPM_CC.ClockSet])).rc).to.equal(ppOnSession(1));
    expect(await listed()).to.deep.equal([TPM_CC.PP_Commands]);
    tpm.setPhysicalPresence(true);
    expect((await ppCommands([TPM_CC.ClockSet])).rc).to.equal(TPM_RC.SUCCESS);
    expect(await listed()).to.deep.equal([TPM_CC.ClockSet, TPM_CC.PP_Commands]);
  });

  it("a listed command authorized by the platform needs physical presence; by the owner it does not", async () => {
    tpm.setPhysicalPresence(true);
    await ppCommands([TPM_CC.ClockSet]);
    tpm.setPhysicalPresence(false);
    expect((await clockSet(TPM_RH.PLATFORM)).rc).to.equal(ppOnSession(1));
    expect((await clockSet(TPM_RH.OWNER)).rc).to.equal(TPM_RC.SUCCESS);
    tpm.setPhysicalPresence(true);
    expect((await clockSet(TPM_RH.PLATFORM)).rc).to.equal(TPM_RC.SUCCESS);
  });

  it("the check applies to the session of the platform handle wherever it is (NV_UndefineSpaceSpecial: session 2)", async () => {
    const index = 0x01400080;
    await define(t, TPM_RH.PLATFORM, nvPublic(index, A.PPREAD | A.PPWRITE | A.PLATFORMCREATE | A.POLICY_DELETE, 8, { authPolicy: commandCodePolicy(TPM_CC.NV_UndefineSpaceSpecial) }));
    tpm.setPhysicalPresence(true);
    await ppCommands([TPM_CC.NV_UndefineSpaceSpecial]);
    tpm.setPhysicalPresence(false);
    const undefineSpecial = async () =>
      client.call("NV_UndefineSpaceSpecial", {
        handles: [index, TPM_RH.PLATFORM],
        auths: [withSession(await commandCodeSession(t, TPM_CC.NV_UndefineSpaceSpecial)), pw()],
        params: {},
      });
    expect((await undefineSpecial()).rc).to.equal(ppOnSession(2));
    tpm.setPhysicalPresence(true);
    expect((await undefineSpecial()).rc).to.equal(TPM_RC.SUCCESS);
  });

  it("ignores in setList what may not be listed, and in clearList TPM2_PP_Commands itself", async () => {
    tpm.setPhysicalPresence(true);
    expect((await ppCommands([TPM_CC.Sign, 0x0000ffff, TPM_CC.Clear, TPM_CC.HierarchyControl])).rc).to.equal(TPM_RC.SUCCESS);
    expect(await listed()).to.deep.equal([TPM_CC.HierarchyControl, TPM_CC.Clear, TPM_CC.PP_Commands]);
    expect((await ppCommands([], [TPM_CC.PP_Commands, TPM_CC.Clear])).rc).to.equal(TPM_RC.SUCCESS);
    expect(await listed()).to.deep.equal([TPM_CC.HierarchyControl, TPM_CC.PP_Commands]);
  });

  it("takes only the platform hierarchy as auth handle (TPM_RC_VALUE + H1 for the owner)", async () => {
    tpm.setPhysicalPresence(true);
    const out = await client.call("PP_Commands", { handles: [TPM_RH.OWNER], auths: [pw()], params: { setList: [], clearList: [] } });
    expect(out.rc).to.equal(TPM_RC.VALUE | TPM_RC_1);
  });

  it("keeps the list in NV: a TPM loaded from the state file still has it", async () => {
    tpm.setPhysicalPresence(true);
    await ppCommands([TPM_CC.ClearControl]);
    const reloaded = TpmEmulator.fromStateBytes(tpm.stateBytes());
    const again = new TpmClient((c) => reloaded.execute(c));
    await again.run("Startup", { params: { startupType: TPM_SU.CLEAR } });
    expect(await listed(again)).to.deep.equal([TPM_CC.ClearControl, TPM_CC.PP_Commands]);
  });
});
