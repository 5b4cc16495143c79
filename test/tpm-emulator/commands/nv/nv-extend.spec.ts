import { expect } from "chai";
import { createHash } from "node:crypto";
import { TPM_ALG, TPM_NT, TPM_RC, TPM_RH, pw } from "../../../../tpm2/index.js";
import { startedTpm, type StartedTpm } from "../session/support.js";
import { OWNER_RW, atHandle, atParameter, define, nvPublic, ofType, read } from "./support.js";

const EXTEND = 0x01500030;

function extend(t: StartedTpm, index: number, data: string) {
  return t.client.call("NV_Extend", { handles: [TPM_RH.OWNER, index], auths: [pw()], params: { data: Buffer.from(data) } });
}

describe("TPM2_NV_Extend", () => {
  let t: StartedTpm;
  beforeEach(async () => {
    t = await startedTpm();
  });

  it("extends like a PCR: H(old || data), starting from zeros", async () => {
    expect((await define(t, TPM_RH.OWNER, nvPublic(EXTEND, ofType(TPM_NT.EXTEND, OWNER_RW), 32))).rc).to.equal(TPM_RC.SUCCESS);
    expect((await extend(t, EXTEND, "first")).rc).to.equal(TPM_RC.SUCCESS);
    expect((await extend(t, EXTEND, "second")).rc).to.equal(TPM_RC.SUCCESS);
    const one = createHash("sha256").update(Buffer.alloc(32)).update("first").digest();
    const two = createHash("sha256").update(one).update("second").digest();
    expect(Buffer.from((await read(t, TPM_RH.OWNER, EXTEND, 32)).response!.data)).to.deep.equal(two);
  });

  it("uses the index's nameAlg (SHA-1 index: 20 octets)", async () => {
    const pub = nvPublic(EXTEND, ofType(TPM_NT.EXTEND, OWNER_RW), 20, { nameAlg: TPM_ALG.SHA1 });
    expect((await define(t, TPM_RH.OWNER, pub)).rc).to.equal(TPM_RC.SUCCESS);
    await extend(t, EXTEND, "x");
    const expected = createHash("sha1").update(Buffer.alloc(20)).update("x").digest();
    expect(Buffer.from((await read(t, TPM_RH.OWNER, EXTEND, 20)).response!.data)).to.deep.equal(expected);
  });

  it("defines an extend index only with the digest size of its nameAlg", async () => {
    expect((await define(t, TPM_RH.OWNER, nvPublic(EXTEND, ofType(TPM_NT.EXTEND, OWNER_RW), 31))).rc).to.equal(atParameter(TPM_RC.SIZE, 2));
  });

  it("refuses an ordinary index (TPM_RC_ATTRIBUTES on handle 2)", async () => {
    await define(t, TPM_RH.OWNER, nvPublic(EXTEND, OWNER_RW, 32));
    expect((await extend(t, EXTEND, "x")).rc).to.equal(atHandle(TPM_RC.ATTRIBUTES, 2));
  });
});
