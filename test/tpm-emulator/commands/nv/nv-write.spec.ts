import { expect } from "chai";
import { TPM_NT, TPM_RC, TPM_RC_1, TPM_RC_P, TPM_RH, TPMA_NV } from "../../../../tpm2/index.js";
import { startedTpm, type StartedTpm } from "../session/support.js";
import { A, EK_CERT_ATTRIBUTES, EK_CERT_INDEX, OWNER_INDEX, OWNER_RW, define, nvPublic, read, write } from "./support.js";

describe("TPM2_NV_Write", () => {
  let t: StartedTpm;
  beforeEach(async () => {
    t = await startedTpm();
    await define(t, TPM_RH.OWNER, nvPublic(OWNER_INDEX, OWNER_RW, 8), Buffer.from("pin"));
    await define(t, TPM_RH.PLATFORM, nvPublic(EK_CERT_INDEX, EK_CERT_ATTRIBUTES, 800));
  });

  it("writes at an offset and sets TPMA_NV_WRITTEN; bytes never written read as erased (0xff)", async () => {
    expect((await write(t, OWNER_INDEX, OWNER_INDEX, Buffer.from("ab"), 2, "pin")).rc).to.equal(TPM_RC.SUCCESS);
    const pub = await t.client.run("NV_ReadPublic", { handles: [OWNER_INDEX], params: {} });
    expect(pub.nvPublic.attributes & TPMA_NV.WRITTEN).to.equal(TPMA_NV.WRITTEN);
    const r = await read(t, TPM_RH.OWNER, OWNER_INDEX, 8);
    expect(Buffer.from(r.response!.data).toString("hex")).to.equal("ffff6162ffffffff");
  });

  it("writes an EK certificate index with platform authorization, not with the owner's", async () => {
    const cert = Buffer.from("30820122300d06092a864886f70d01010105000382010f00", "hex");
    expect((await write(t, TPM_RH.OWNER, EK_CERT_INDEX, cert)).rc).to.equal(TPM_RC.NV_AUTHORIZATION);
    expect((await write(t, TPM_RH.PLATFORM, EK_CERT_INDEX, cert)).rc).to.equal(TPM_RC.SUCCESS);
    expect(Buffer.from((await read(t, TPM_RH.OWNER, EK_CERT_INDEX, cert.length)).response!.data)).to.deep.equal(cert);
  });

  it("refuses the index's own authorization when TPMA_NV_AUTHWRITE is clear", async () => {
    expect((await write(t, EK_CERT_INDEX, EK_CERT_INDEX, Buffer.from("x"))).rc).to.equal(TPM_RC.AUTH_UNAVAILABLE);
  });

  it("refuses another index or the platform as authorization where the attributes do not allow it", async () => {
    expect((await write(t, EK_CERT_INDEX, OWNER_INDEX, Buffer.from("x"))).rc).to.equal(TPM_RC.NV_AUTHORIZATION);
    expect((await write(t, TPM_RH.PLATFORM, OWNER_INDEX, Buffer.from("x"))).rc).to.equal(TPM_RC.NV_AUTHORIZATION);
  });

  it("keeps writes inside the index (TPM_RC_NV_RANGE, TPM_RC_VALUE on offset)", async () => {
    expect((await write(t, TPM_RH.OWNER, OWNER_INDEX, Buffer.alloc(4), 6)).rc).to.equal(TPM_RC.NV_RANGE);
    expect((await write(t, TPM_RH.OWNER, OWNER_INDEX, Buffer.alloc(0), 9)).rc).to.equal(TPM_RC.VALUE | TPM_RC_P | (2 * TPM_RC_1));
    expect((await write(t, TPM_RH.OWNER, OWNER_INDEX, Buffer.alloc(8), 0)).rc).to.equal(TPM_RC.SUCCESS);
  });

  it("needs all of a TPMA_NV_WRITEALL index at once", async () => {
    await define(t, TPM_RH.OWNER, nvPublic(0x01500001, OWNER_RW | A.WRITEALL, 4));
    expect((await write(t, TPM_RH.OWNER, 0x01500001, Buffer.alloc(3))).rc).to.equal(TPM_RC.NV_RANGE);
    expect((await write(t, TPM_RH.OWNER, 0x01500001, Buffer.alloc(4))).rc).to.equal(TPM_RC.SUCCESS);
  });

  it("does not write a counter index (TPM_RC_ATTRIBUTES)", async () => {
    await define(t, TPM_RH.OWNER, nvPublic(0x01500001, OWNER_RW | (TPM_NT.COUNTER << 4), 8));
    expect((await write(t, TPM_RH.OWNER, 0x01500001, Buffer.alloc(8))).rc).to.equal(TPM_RC.ATTRIBUTES);
  });
});
