import { expect } from "chai";
import { createHash } from "node:crypto";
import { TPM_RC, TPM_RC_1, TPM_RC_H, TPM_RH, TPMA_NV, TPMS_NV_PUBLIC, marshal } from "../../../../tpm2/index.js";
import { startedTpm, type StartedTpm } from "../session/support.js";
import { OWNER_INDEX, OWNER_RW, define, nvPublic, write } from "./support.js";

/** Part 1 §16: the Name of an index, nameAlg || H(TPMS_NV_PUBLIC). */
function expectedName(pub: ReturnType<typeof nvPublic>): string {
  return `000b${createHash("sha256").update(marshal(TPMS_NV_PUBLIC, pub)).digest("hex")}`;
}

describe("TPM2_NV_ReadPublic", () => {
  let t: StartedTpm;
  beforeEach(async () => {
    t = await startedTpm();
  });

  it("returns the public area and its Name, which changes when TPMA_NV_WRITTEN is set", async () => {
    const pub = nvPublic(OWNER_INDEX, OWNER_RW, 8, { authPolicy: Buffer.alloc(32, 7) });
    await define(t, TPM_RH.OWNER, pub);
    const before = await t.client.run("NV_ReadPublic", { handles: [OWNER_INDEX], params: {} });
    expect(before.nvPublic).to.deep.equal(pub);
    expect(Buffer.from(before.nvName).toString("hex")).to.equal(expectedName(pub));

    await write(t, TPM_RH.OWNER, OWNER_INDEX, Buffer.from("x"));
    const after = await t.client.run("NV_ReadPublic", { handles: [OWNER_INDEX], params: {} });
    const written = { ...pub, attributes: pub.attributes | TPMA_NV.WRITTEN };
    expect(after.nvPublic).to.deep.equal(written);
    expect(Buffer.from(after.nvName).toString("hex")).to.equal(expectedName(written));
  });

  it("refuses an index that does not exist and a handle that is not an index", async () => {
    expect((await t.client.call("NV_ReadPublic", { handles: [0x01500099], params: {} })).rc).to.equal(TPM_RC.HANDLE | TPM_RC_H | TPM_RC_1);
    expect((await t.client.call("NV_ReadPublic", { handles: [TPM_RH.OWNER], params: {} })).rc).to.equal(TPM_RC.VALUE | TPM_RC_H | TPM_RC_1);
  });
});
