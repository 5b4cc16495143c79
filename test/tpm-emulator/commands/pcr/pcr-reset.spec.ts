import { expect } from "chai";
import { TPM_ALG, TPM_RC, TPM_RC_1, TPM_RC_H, TPM_RH, pw } from "../../../../tpm2/index.js";
import { startedTpm, type StartedTpm } from "../session/support.js";
import { extend, readPcr, updateCounter } from "./support.js";

describe("TPM2_PCR_Reset", () => {
  let t: StartedTpm;
  beforeEach(async () => {
    t = await startedTpm();
  });

  const reset = (pcr: number) => t.client.call("PCR_Reset", { handles: [pcr], auths: [pw()], params: {} });

  it("resets PCR 16 and 23 to zero in every bank from locality 0", async () => {
    for (const pcr of [16, 23]) {
      await extend(t, pcr, [{ hashAlg: TPM_ALG.SHA256, digest: Buffer.alloc(32, 1) }, { hashAlg: TPM_ALG.SHA1, digest: Buffer.alloc(20, 1) }]);
      expect(await readPcr(t, TPM_ALG.SHA256, pcr)).to.not.deep.equal(Buffer.alloc(32));
      expect((await reset(pcr)).rc).to.equal(TPM_RC.SUCCESS);
      expect(await readPcr(t, TPM_ALG.SHA256, pcr)).to.deep.equal(Buffer.alloc(32));
      expect(await readPcr(t, TPM_ALG.SHA1, pcr)).to.deep.equal(Buffer.alloc(20));
    }
  });

  it("refuses the static PCRs and the DRTM PCRs from locality 0 (TPM_RC_LOCALITY)", async () => {
    for (const pcr of [0, 7, 15, 17, 20, 22]) expect((await reset(pcr)).rc, `PCR ${pcr}`).to.equal(TPM_RC.LOCALITY);
  });

  it("lets locality 2 reset PCR 20 and counts the reset as an update", async () => {
    t.tpm.setLocality(2);
    const before = await updateCounter(t);
    expect((await reset(20)).rc).to.equal(TPM_RC.SUCCESS);
    expect(await updateCounter(t)).to.equal(before + 1);
  });

  it("refuses TPM_RH_NULL (TPM_RC_VALUE on handle 1)", async () => {
    expect((await reset(TPM_RH.NULL)).rc).to.equal(TPM_RC.VALUE | TPM_RC_H | TPM_RC_1);
  });
});
