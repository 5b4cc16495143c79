import { expect } from "chai";
import { TPM_ALG, TPM_RC } from "../../../../tpm2/index.js";
import { startedTpm } from "../session/support.js";

describe("TPM2_IncrementalSelfTest", () => {
  it("has nothing left to test: toDoList is empty for any request", async () => {
    const t = await startedTpm();
    const out = await t.client.call("IncrementalSelfTest", { params: { toTest: [TPM_ALG.SHA256, TPM_ALG.AES, TPM_ALG.RSA, TPM_ALG.ECC] } });
    expect(out.rc).to.equal(TPM_RC.SUCCESS);
    expect(out.response?.toDoList).to.deep.equal([]);
  });
});
