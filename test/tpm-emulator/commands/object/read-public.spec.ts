import { createHash } from "node:crypto";
import { expect } from "chai";
import { TPM_RC, TPM_RH } from "../../../../tpm2/index.js";
import { createPrimary, srkTemplate, startTpm } from "./support.js";

describe("TPM2_ReadPublic", () => {
  it("returns the public area, Name and qualified name of a primary object", async () => {
    const { client } = await startTpm();
    const srk = await createPrimary(client, srkTemplate(), TPM_RH.ENDORSEMENT);
    const read = await client.run("ReadPublic", { handles: [srk.handle], params: {} });
    expect(read.outPublic).to.deep.equal(srk.outPublic);
    expect(Buffer.from(read.name)).to.deep.equal(Buffer.from(srk.name));
    // Part 1 §26.5: a primary object's parent QN is its hierarchy handle
    const qn = createHash("sha256").update(Buffer.from("4000000b", "hex")).update(read.name).digest();
    expect(Buffer.from(read.qualifiedName)).to.deep.equal(Buffer.concat([Buffer.from([0x00, 0x0b]), qn]));
  });

  it("no longer finds a flushed object", async () => {
    const { client } = await startTpm();
    const srk = await createPrimary(client, srkTemplate());
    await client.run("FlushContext", { params: { flushHandle: srk.handle } });
    const r = await client.call("ReadPublic", { handles: [srk.handle], params: {} });
    // the dispatcher answers for a missing handle (ms-tpm-20-ref: TPM_RC_REFERENCE_H0)
    expect(r.rc).to.not.equal(TPM_RC.SUCCESS);
  });
});
