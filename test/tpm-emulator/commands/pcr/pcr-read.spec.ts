import { expect } from "chai";
import { TPM_ALG, TPM_RC } from "../../../../tpm2/index.js";
import { startedTpm, type StartedTpm } from "../session/support.js";
import { extend, hash, select } from "./support.js";

describe("TPM2_PCR_Read", () => {
  let t: StartedTpm;
  beforeEach(async () => {
    t = await startedTpm();
  });

  it("returns the selected values in selection order with the update counter", async () => {
    await extend(t, 4, [{ hashAlg: TPM_ALG.SHA256, digest: Buffer.alloc(32, 4) }]);
    const r = await t.client.run("PCR_Read", {
      params: { pcrSelectionIn: [{ hash: TPM_ALG.SHA1, pcrSelect: select(4) }, { hash: TPM_ALG.SHA256, pcrSelect: select(0, 4) }] },
    });
    expect(r.pcrValues.map((v) => Buffer.from(v))).to.deep.equal([
      Buffer.alloc(20),
      Buffer.alloc(32),
      hash(TPM_ALG.SHA256, Buffer.alloc(32), Buffer.alloc(32, 4)),
    ]);
    expect(r.pcrUpdateCounter).to.be.a("number");
  });

  it("returns at most eight values and leaves the rest out of pcrSelectionOut, so the caller can ask again", async () => {
    const r = await t.client.run("PCR_Read", {
      params: {
        pcrSelectionIn: [
          { hash: TPM_ALG.SHA256, pcrSelect: select(0, 1, 2, 3, 4, 5, 6, 7, 8, 9) },
          { hash: TPM_ALG.SHA1, pcrSelect: select(0) },
        ],
      },
    });
    expect(r.pcrValues).to.have.length(8);
    expect(r.pcrSelectionOut).to.deep.equal([
      { hash: TPM_ALG.SHA256, pcrSelect: select(0, 1, 2, 3, 4, 5, 6, 7) },
      { hash: TPM_ALG.SHA1, pcrSelect: select() },
    ]);
  });

  it("clears the selection of a bank that is not allocated", async () => {
    const r = await t.client.call("PCR_Read", { params: { pcrSelectionIn: [{ hash: TPM_ALG.SHA384, pcrSelect: select(0, 1) }] } });
    expect(r.rc).to.equal(TPM_RC.SUCCESS);
    expect(r.response!.pcrValues).to.have.length(0);
    expect(r.response!.pcrSelectionOut).to.deep.equal([{ hash: TPM_ALG.SHA384, pcrSelect: select() }]);
  });
});
