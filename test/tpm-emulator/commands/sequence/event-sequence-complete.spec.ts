import { expect } from "chai";
import { createHash, randomBytes } from "node:crypto";
import { TPM_ALG, TPM_RC, TPM_RH, pw, type TpmClient } from "../../../../tpm2/index.js";
import { atHandle, startedTpm } from "../key-fixture.js";
import { start, update } from "./support.js";

const NODE: Record<number, string> = { [TPM_ALG.SHA1]: "sha1", [TPM_ALG.SHA256]: "sha256", [TPM_ALG.SHA384]: "sha384", [TPM_ALG.SHA512]: "sha512" };

describe("TPM2_EventSequenceComplete", () => {
  let client: TpmClient;
  beforeEach(async () => ({ client } = await startedTpm()));

  const finish = (pcr: number, handle: number, buffer: Buffer) =>
    client.call("EventSequenceComplete", { handles: [pcr, handle], auths: [pw(), pw()], params: { buffer } });

  const pcr16 = async (hash: number) =>
    Buffer.from((await client.run("PCR_Read", { params: { pcrSelectionIn: [{ hash, pcrSelect: Buffer.from([0, 0, 1]) }] } })).pcrValues[0]!);

  it("returns the event's digest in every implemented hash and extends them into PCR 16", async () => {
    const data = randomBytes(2000);
    const handle = await start(client, TPM_ALG.NULL);
    await update(client, handle, data.subarray(0, 1000));
    const out = await finish(16, handle, data.subarray(1000));
    expect(out.rc).to.equal(TPM_RC.SUCCESS);
    const results = out.response!.results;
    expect(results.map((r) => r.hashAlg)).to.deep.equal([TPM_ALG.SHA1, TPM_ALG.SHA256, TPM_ALG.SHA384, TPM_ALG.SHA512]);
    for (const r of results) expect(Buffer.from(r.digest).equals(createHash(NODE[r.hashAlg]!).update(data).digest())).to.equal(true);
    const digest256 = createHash("sha256").update(data).digest();
    const expected = createHash("sha256").update(Buffer.alloc(32)).update(digest256).digest();
    expect((await pcr16(TPM_ALG.SHA256)).equals(expected)).to.equal(true);
  });

  it("with TPM_RH_NULL only returns the digests", async () => {
    const out = await finish(TPM_RH.NULL, await start(client, TPM_ALG.NULL), Buffer.from("event"));
    expect(out.response!.results).to.have.length(4);
    expect((await pcr16(TPM_ALG.SHA256)).equals(Buffer.alloc(32))).to.equal(true);
  });

  it("refuses a hash sequence (TPM_RC_MODE + H2) and a PCR the locality may not extend (TPM_RC_LOCALITY)", async () => {
    expect((await finish(16, await start(client, TPM_ALG.SHA256), Buffer.alloc(0))).rc).to.equal(atHandle(TPM_RC.MODE, 2));
    expect((await finish(17, await start(client, TPM_ALG.NULL), Buffer.alloc(0))).rc).to.equal(TPM_RC.LOCALITY);
  });
});
