import { expect } from "chai";
import { TPM_ALG, TPM_RC, TPM_RH, TPM_SU, pw } from "../../../../tpm2/index.js";
import { atHandle, atParameter } from "../nv/support.js";
import { startedTpm, type StartedTpm } from "../session/support.js";

const ALL = Buffer.from([0xff, 0xff, 0xff]);
const NONE = Buffer.from([0, 0, 0]);

const allocate = (t: StartedTpm, selections: { hash: number; pcrSelect: Buffer }[], authHandle: number = TPM_RH.PLATFORM) =>
  t.client.call("PCR_Allocate", { handles: [authHandle], auths: [pw()], params: { pcrAllocation: selections } });

async function banks(t: StartedTpm): Promise<number[]> {
  const out = await t.client.run("PCR_Read", {
    params: { pcrSelectionIn: [TPM_ALG.SHA1, TPM_ALG.SHA256, TPM_ALG.SHA384].map((hash) => ({ hash, pcrSelect: Buffer.from([1, 0, 0]) })) },
  });
  return out.pcrSelectionOut.filter((s) => s.pcrSelect[0] === 1).map((s) => s.hash);
}

async function restart(t: StartedTpm): Promise<void> {
  await t.client.run("Shutdown", { params: { shutdownType: TPM_SU.CLEAR } });
  t.tpm.runtime.powerCycle();
  await t.client.run("Startup", { params: { startupType: TPM_SU.CLEAR } });
}

describe("TPM2_PCR_Allocate", () => {
  it("takes effect at the next Startup(CLEAR): SHA-384 in, SHA-1 out", async () => {
    const t = await startedTpm();
    expect(await banks(t)).to.deep.equal([TPM_ALG.SHA1, TPM_ALG.SHA256]);
    const out = await allocate(t, [
      { hash: TPM_ALG.SHA1, pcrSelect: NONE },
      { hash: TPM_ALG.SHA384, pcrSelect: ALL },
    ]);
    expect(out.rc).to.equal(TPM_RC.SUCCESS);
    expect(out.response).to.include({ allocationSuccess: true, maxPCR: 24, sizeNeeded: 24 * (32 + 48) });
    expect(await banks(t)).to.deep.equal([TPM_ALG.SHA1, TPM_ALG.SHA256]);
    await restart(t);
    expect(await banks(t)).to.deep.equal([TPM_ALG.SHA256, TPM_ALG.SHA384]);
  });

  it("refuses an allocation without the DRTM PCR 17 (TPM_RC_PCR)", async () => {
    const t = await startedTpm();
    expect((await allocate(t, [{ hash: TPM_ALG.SHA1, pcrSelect: NONE }, { hash: TPM_ALG.SHA256, pcrSelect: NONE }])).rc).to.equal(TPM_RC.PCR);
  });

  it("refuses a bank it cannot allocate (TPM_RC_HASH + P1) and any authorization but the platform's (TPM_RC_VALUE + H1)", async () => {
    const t = await startedTpm();
    expect((await allocate(t, [{ hash: TPM_ALG.SHA512, pcrSelect: ALL }])).rc).to.equal(atParameter(TPM_RC.HASH, 1));
    expect((await allocate(t, [{ hash: TPM_ALG.SHA256, pcrSelect: ALL }], TPM_RH.OWNER)).rc).to.equal(atHandle(TPM_RC.VALUE, 1));
  });
});
