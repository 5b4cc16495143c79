import { expect } from "chai";
import { TPMA_NV, TPM_ALG, TPM_RC, TPM_RH, TPM_SU, TpmClient, baseResponseCode, pw } from "../../../../tpm2/index.js";
import { TpmEmulator } from "../../../../tpm-emulator/index.js";

describe("TPM2_Startup", () => {
  it("releases WRITE_STCLEAR write locks at the next Startup(CLEAR), not at Startup(STATE)", async () => {
    const tpm = TpmEmulator.create();
    const c = new TpmClient((cmd) => tpm.execute(cmd));
    const startup = (t: number) => c.run("Startup", { params: { startupType: t } });
    await startup(TPM_SU.CLEAR);
    const index = 0x01500100;
    await c.run("NV_DefineSpace", {
      handles: [TPM_RH.OWNER],
      auths: [pw()],
      params: {
        auth: Buffer.alloc(0),
        publicInfo: { nvIndex: index, nameAlg: TPM_ALG.SHA256, attributes: TPMA_NV.OWNERWRITE | TPMA_NV.OWNERREAD | TPMA_NV.WRITE_STCLEAR, authPolicy: Buffer.alloc(0), dataSize: 8 },
      },
    });
    const write = () => c.call("NV_Write", { handles: [TPM_RH.OWNER, index], auths: [pw()], params: { data: Buffer.alloc(8, 1), offset: 0 } });
    expect((await write()).rc).to.equal(TPM_RC.SUCCESS);
    await c.run("NV_WriteLock", { handles: [TPM_RH.OWNER, index], auths: [pw()], params: {} });
    expect(baseResponseCode((await write()).rc)).to.equal(TPM_RC.NV_LOCKED);

    await c.run("Shutdown", { params: { shutdownType: TPM_SU.STATE } });
    tpm.reset();
    await startup(TPM_SU.STATE);
    expect(baseResponseCode((await write()).rc)).to.equal(TPM_RC.NV_LOCKED);

    await c.run("Shutdown", { params: { shutdownType: TPM_SU.CLEAR } });
    tpm.reset();
    await startup(TPM_SU.CLEAR);
    expect((await write()).rc).to.equal(TPM_RC.SUCCESS);
  });
});
