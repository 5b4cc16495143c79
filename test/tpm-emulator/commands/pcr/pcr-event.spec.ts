import { expect } from "chai";
import { TPM_ALG, TPM_RC, TPM_RH, pw } from "../../../../tpm2/index.js";
import { startedTpm, type StartedTpm } from "../session/support.js";
import { hash, readPcr } from "./support.js";

describe("TPM2_PCR_Event", () => {
  let t: StartedTpm;
  beforeEach(async () => {
    t = await startedTpm();
  });

  const event = (pcr: number, data: string) =>
    t.client.call("PCR_Event", { handles: [pcr], auths: [pw()], params: { eventData: Buffer.from(data) } });

  it("returns the event's digest with every implemented hash and extends the allocated banks with them", async () => {
    const r = await event(10, "boot event");
    expect(r.rc).to.equal(TPM_RC.SUCCESS);
    const algs = [TPM_ALG.SHA1, TPM_ALG.SHA256, TPM_ALG.SHA384, TPM_ALG.SHA512] as const;
    expect(r.response!.digests.map((d) => d.hashAlg)).to.deep.equal([...algs]);
    r.response!.digests.forEach((d, i) => expect(Buffer.from(d.digest)).to.deep.equal(hash(algs[i]!, Buffer.from("boot event"))));
    const d256 = hash(TPM_ALG.SHA256, Buffer.from("boot event"));
    expect(await readPcr(t, TPM_ALG.SHA256, 10)).to.deep.equal(hash(TPM_ALG.SHA256, Buffer.alloc(32), d256));
    const d1 = hash(TPM_ALG.SHA1, Buffer.from("boot event"));
    expect(await readPcr(t, TPM_ALG.SHA1, 10)).to.deep.equal(hash(TPM_ALG.SHA1, Buffer.alloc(20), d1));
  });

  it("only hashes for TPM_RH_NULL, and follows the locality rules", async () => {
    expect((await event(TPM_RH.NULL, "x")).response!.digests).to.have.length(4);
    expect((await event(18, "x")).rc).to.equal(TPM_RC.LOCALITY);
  });
});
