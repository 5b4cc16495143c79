import { expect } from "chai";
import { TPM_ALG, TPM_RC, TPM_RC_1, TPM_RC_H, TPM_RC_P, TPM_RH } from "../../../../tpm2/index.js";
import { startedTpm, type StartedTpm } from "../session/support.js";
import { extend, hash, readPcr, updateCounter } from "./support.js";

describe("TPM2_PCR_Extend", () => {
  let t: StartedTpm;
  beforeEach(async () => {
    t = await startedTpm();
  });

  it("extends each bank with its digest: PCR = H(PCR || digest), as computed independently", async () => {
    const d256 = hash(TPM_ALG.SHA256, Buffer.from("measurement"));
    const d1 = hash(TPM_ALG.SHA1, Buffer.from("measurement"));
    expect((await extend(t, 7, [{ hashAlg: TPM_ALG.SHA256, digest: d256 }, { hashAlg: TPM_ALG.SHA1, digest: d1 }])).rc).to.equal(TPM_RC.SUCCESS);
    const once256 = hash(TPM_ALG.SHA256, Buffer.alloc(32), d256);
    expect(await readPcr(t, TPM_ALG.SHA256, 7)).to.deep.equal(once256);
    expect(await readPcr(t, TPM_ALG.SHA1, 7)).to.deep.equal(hash(TPM_ALG.SHA1, Buffer.alloc(20), d1));

    await extend(t, 7, [{ hashAlg: TPM_ALG.SHA256, digest: d256 }]);
    expect(await readPcr(t, TPM_ALG.SHA256, 7)).to.deep.equal(hash(TPM_ALG.SHA256, once256, d256));
  });

  it("ignores digests for banks that are not allocated, and TPM_RH_NULL", async () => {
    const counter = await updateCounter(t);
    expect((await extend(t, 3, [{ hashAlg: TPM_ALG.SHA384, digest: Buffer.alloc(48, 1) }])).rc).to.equal(TPM_RC.SUCCESS);
    expect((await extend(t, TPM_RH.NULL, [{ hashAlg: TPM_ALG.SHA256, digest: Buffer.alloc(32, 1) }])).rc).to.equal(TPM_RC.SUCCESS);
    expect(await updateCounter(t)).to.equal(counter);
    expect(await readPcr(t, TPM_ALG.SHA256, 3)).to.deep.equal(Buffer.alloc(32));
  });

  it("counts each bank extended in pcrUpdateCounter, except for PCR 16, 21-23", async () => {
    const start = await updateCounter(t);
    await extend(t, 0, [{ hashAlg: TPM_ALG.SHA256, digest: Buffer.alloc(32) }, { hashAlg: TPM_ALG.SHA1, digest: Buffer.alloc(20) }]);
    expect(await updateCounter(t)).to.equal(start + 2);
    await extend(t, 16, [{ hashAlg: TPM_ALG.SHA256, digest: Buffer.alloc(32) }]);
    await extend(t, 23, [{ hashAlg: TPM_ALG.SHA256, digest: Buffer.alloc(32) }]);
    expect(await updateCounter(t)).to.equal(start + 2);
  });

  it("applies the PC Client locality rules: 17-22 not from locality 0, 17 from locality 4", async () => {
    const digest = [{ hashAlg: TPM_ALG.SHA256, digest: Buffer.alloc(32, 1) }];
    for (const pcr of [17, 18, 19, 20, 21, 22]) expect((await extend(t, pcr, digest)).rc, `PCR ${pcr}`).to.equal(TPM_RC.LOCALITY);
    for (const pcr of [0, 15, 16, 23]) expect((await extend(t, pcr, digest)).rc, `PCR ${pcr}`).to.equal(TPM_RC.SUCCESS);
    t.tpm.setLocality(4);
    expect((await extend(t, 17, digest)).rc).to.equal(TPM_RC.SUCCESS);
    expect((await extend(t, 20, digest)).rc).to.equal(TPM_RC.LOCALITY);
  });

  it("refuses a handle that is not a PCR and a TPM_ALG_NULL digest", async () => {
    const digest = [{ hashAlg: TPM_ALG.SHA256, digest: Buffer.alloc(32, 1) }];
    expect((await extend(t, TPM_RH.OWNER, digest)).rc).to.equal(TPM_RC.VALUE | TPM_RC_H | TPM_RC_1);
    expect((await extend(t, 2, [{ hashAlg: TPM_ALG.NULL, digest: Buffer.alloc(0) }])).rc).to.equal(TPM_RC.HASH | TPM_RC_P | TPM_RC_1);
  });
});
