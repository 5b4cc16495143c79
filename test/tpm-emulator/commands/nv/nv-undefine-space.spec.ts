import { expect } from "chai";
import { TPM_RC, TPM_RC_1, TPM_RC_H, TPM_RH } from "../../../../tpm2/index.js";
import { startedTpm, type StartedTpm } from "../session/support.js";
import { EK_CERT_ATTRIBUTES, EK_CERT_INDEX, OWNER_INDEX, OWNER_RW, define, nvPublic, read, undefine } from "./support.js";

const handle = (rc: number, n: number) => rc | TPM_RC_H | (n * TPM_RC_1);

describe("TPM2_NV_UndefineSpace", () => {
  let t: StartedTpm;
  beforeEach(async () => {
    t = await startedTpm();
    await define(t, TPM_RH.OWNER, nvPublic(OWNER_INDEX, OWNER_RW));
    await define(t, TPM_RH.PLATFORM, nvPublic(EK_CERT_INDEX, EK_CERT_ATTRIBUTES, 800));
  });

  it("removes an owner index with owner authorization", async () => {
    expect((await undefine(t, TPM_RH.OWNER, OWNER_INDEX)).rc).to.equal(TPM_RC.SUCCESS);
    expect((await read(t, TPM_RH.OWNER, OWNER_INDEX, 1)).rc).to.equal(handle(TPM_RC.HANDLE, 2));
    expect((await define(t, TPM_RH.OWNER, nvPublic(OWNER_INDEX, OWNER_RW))).rc).to.equal(TPM_RC.SUCCESS);
  });

  it("lets only the platform remove a platform-created index", async () => {
    expect((await undefine(t, TPM_RH.OWNER, EK_CERT_INDEX)).rc).to.equal(TPM_RC.NV_AUTHORIZATION);
    expect((await undefine(t, TPM_RH.PLATFORM, EK_CERT_INDEX)).rc).to.equal(TPM_RC.SUCCESS);
  });

  it("lets the platform remove an owner index too", async () => {
    expect((await undefine(t, TPM_RH.PLATFORM, OWNER_INDEX)).rc).to.equal(TPM_RC.SUCCESS);
  });

  it("refuses other authorization handles and indices that do not exist", async () => {
    expect((await undefine(t, TPM_RH.ENDORSEMENT, OWNER_INDEX)).rc).to.equal(handle(TPM_RC.VALUE, 1));
    expect((await undefine(t, TPM_RH.OWNER, 0x01500099)).rc).to.equal(handle(TPM_RC.HANDLE, 2));
  });
});
