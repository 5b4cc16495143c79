import { expect } from "chai";
import { TPM_CC, TPM_RC, TPM_RH, pw, withSession } from "../../../../tpm2/index.js";
import { startedTpm, type StartedTpm } from "../session/support.js";
import { A, atHandle, atParameter, commandCodePolicy, commandCodeSession, define, nvPublic, undefine } from "./support.js";

const INDEX = 0x01400080;
const PLATFORM_RW = A.PPREAD | A.PPWRITE | A.PLATFORMCREATE;

function undefineSpecial(t: StartedTpm, session: Awaited<ReturnType<typeof commandCodeSession>>, index = INDEX) {
  return t.client.call("NV_UndefineSpaceSpecial", { handles: [index, TPM_RH.PLATFORM], auths: [withSession(session), pw()], params: {} });
}

describe("TPM2_NV_UndefineSpaceSpecial", () => {
  let t: StartedTpm;
  const policy = commandCodePolicy(TPM_CC.NV_UndefineSpaceSpecial);
  beforeEach(async () => {
    t = await startedTpm();
  });

  it("removes a POLICY_DELETE index with its policy and platform authorization", async () => {
    expect((await define(t, TPM_RH.PLATFORM, nvPublic(INDEX, PLATFORM_RW | A.POLICY_DELETE, 8, { authPolicy: policy }))).rc).to.equal(TPM_RC.SUCCESS);
    expect((await undefine(t, TPM_RH.PLATFORM, INDEX)).rc).to.equal(atHandle(TPM_RC.ATTRIBUTES, 2));
    const r = await undefineSpecial(t, await commandCodeSession(t, TPM_CC.NV_UndefineSpaceSpecial));
    expect(r.rc).to.equal(TPM_RC.SUCCESS);
    expect((await t.client.call("NV_ReadPublic", { handles: [INDEX], params: {} })).rc).to.equal(atHandle(TPM_RC.HANDLE, 1));
  });

  it("refuses an index without POLICY_DELETE (TPM_RC_ATTRIBUTES on handle 1)", async () => {
    await define(t, TPM_RH.PLATFORM, nvPublic(INDEX, PLATFORM_RW, 8, { authPolicy: policy }));
    const r = await undefineSpecial(t, await commandCodeSession(t, TPM_CC.NV_UndefineSpaceSpecial));
    expect(r.rc).to.equal(atHandle(TPM_RC.ATTRIBUTES, 1));
  });

  it("lets only the platform define a POLICY_DELETE index", async () => {
    const pub = nvPublic(0x01500080, A.OWNERREAD | A.OWNERWRITE | A.POLICY_DELETE, 8, { authPolicy: policy });
    expect((await define(t, TPM_RH.OWNER, pub)).rc).to.equal(atParameter(TPM_RC.ATTRIBUTES, 2));
  });
});
