import { expect } from "chai";
import { TPM_RC } from "../../../../tpm2/index.js";
import { startedTpm } from "../session/support.js";

describe("TPM2_GetTestResult", () => {
  it("reports a passed self-test with no diagnostic data", async () => {
    const t = await startedTpm();
    await t.client.run("SelfTest", { params: { fullTest: true } });
    const r = await t.client.run("GetTestResult", { params: {} });
    expect(r.testResult).to.equal(TPM_RC.SUCCESS);
    expect(r.outData).to.have.length(0);
  });
});
