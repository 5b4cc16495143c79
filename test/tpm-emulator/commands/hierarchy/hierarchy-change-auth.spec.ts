import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { TPM_RC, TPM_RC_1, TPM_RC_H, TPM_RC_S, TPM_RH, TPM_SU, TpmClient, pw } from "../../../../tpm2/index.js";
import { TpmEmulator } from "../../../../tpm-emulator/index.js";
import { startedTpm, type StartedTpm } from "../session/support.js";

const changeAuth = (t: { client: TpmClient }, hierarchy: number, newAuth: string, authValue = "") =>
  t.client.call("HierarchyChangeAuth", { handles: [hierarchy], auths: [pw(authValue)], params: { newAuth: Buffer.from(newAuth) } });

describe("TPM2_HierarchyChangeAuth", () => {
  let t: StartedTpm;
  beforeEach(async () => {
    t = await startedTpm();
  });

  it("replaces the authValue of each hierarchy: the old one stops working, the new one works", async () => {
    for (const hierarchy of [TPM_RH.OWNER, TPM_RH.ENDORSEMENT, TPM_RH.PLATFORM]) {
      expect((await changeAuth(t, hierarchy, "first")).rc).to.equal(TPM_RC.SUCCESS);
      const stale = await changeAuth(t, hierarchy, "second");
      expect(stale.rc).to.equal(TPM_RC.BAD_AUTH | TPM_RC_S | TPM_RC_1);
      expect((await changeAuth(t, hierarchy, "second", "first")).rc).to.equal(TPM_RC.SUCCESS);
    }
  });

  it("replaces lockoutAuth; a wrong lockoutAuth then locks lockoutAuth out (Part 1 §19.8.?)", async () => {
    expect((await changeAuth(t, TPM_RH.LOCKOUT, "first")).rc).to.equal(TPM_RC.SUCCESS);
    expect((await changeAuth(t, TPM_RH.LOCKOUT, "second", "first")).rc).to.equal(TPM_RC.SUCCESS);
    expect((await changeAuth(t, TPM_RH.LOCKOUT, "third", "first")).rc).to.equal(TPM_RC.AUTH_FAIL | TPM_RC_S | TPM_RC_1);
    expect((await changeAuth(t, TPM_RH.LOCKOUT, "third", "second")).rc).to.equal(TPM_RC.LOCKOUT);
  });

  it("drops trailing zeros of the new authValue", async () => {
    await changeAuth(t, TPM_RH.OWNER, "pass\0\0");
    expect((await changeAuth(t, TPM_RH.OWNER, "", "pass")).rc).to.equal(TPM_RC.SUCCESS);
  });

  it("keeps the new authValue across a restart of the TPM", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "apsim-hca-"));
    try {
      const first = TpmEmulator.create({ stateDir: dir });
      const a = { client: new TpmClient((c) => first.execute(c)) };
      await a.client.run("Startup", { params: { startupType: TPM_SU.CLEAR } });
      await changeAuth(a, TPM_RH.OWNER, "kept");
      first.powerOff();
      const second = TpmEmulator.open(dir);
      const b = { client: new TpmClient((c) => second.execute(c)) };
      await b.client.run("Startup", { params: { startupType: TPM_SU.CLEAR } });
      expect((await changeAuth(b, TPM_RH.OWNER, "", "kept")).rc).to.equal(TPM_RC.SUCCESS);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses a handle that is not a hierarchy with an authValue", async () => {
    expect((await changeAuth(t, TPM_RH.NULL, "x")).rc).to.equal(TPM_RC.VALUE | TPM_RC_H | TPM_RC_1);
  });
});
