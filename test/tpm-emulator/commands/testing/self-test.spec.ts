import { expect } from "chai";
import { TPM_RC } from "../../../../tpm2/index.js";
import { startedTpm } from "../session/support.js";

describe("TPM2_SelfTest", () => {
  it("completes a full and a partial self-test", async () => {
    const t = await startedTpm();
    expect((await t.client.call("SelfTest", { params: { fullTest: true } })).rc).to.equal(TPM_RC.SUCCESS);
    expect((await t.client.call("SelfTest", { params: { fullTest: false } })).rc).to.equal(TPM_RC.SUCCESS);
  });

  it("is refused before TPM2_Startup, like every command but Startup", async () => {
    const t = await startedTpm();
    t.tpm.reset();
    expect((await t.client.call("SelfTest", { params: { fullTest: true } })).rc).to.equal(TPM_RC.INITIALIZE);
  });
});
