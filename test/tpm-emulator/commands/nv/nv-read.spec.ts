import { expect } from "chai";
import { TPMA_SESSION, TPM_RC, TPM_RC_1, TPM_RC_H, TPM_RC_P, TPM_RH, withSession } from "../../../../tpm2/index.js";
import { startedTpm, type StartedTpm } from "../session/support.js";
import { EK_CERT_ATTRIBUTES, EK_CERT_INDEX, OWNER_INDEX, OWNER_RW, define, nvPublic, read, write } from "./support.js";

const param = (rc: number, n: number) => rc | TPM_RC_P | (n * TPM_RC_1);

describe("TPM2_NV_Read", () => {
  let t: StartedTpm;
  beforeEach(async () => {
    t = await startedTpm();
    await define(t, TPM_RH.OWNER, nvPublic(OWNER_INDEX, OWNER_RW, 16), Buffer.from("pin"));
    await define(t, TPM_RH.PLATFORM, nvPublic(EK_CERT_INDEX, EK_CERT_ATTRIBUTES, 800));
  });

  it("refuses an index that was never written (TPM_RC_NV_UNINITIALIZED)", async () => {
    expect((await read(t, TPM_RH.OWNER, OWNER_INDEX, 4)).rc).to.equal(TPM_RC.NV_UNINITIALIZED);
  });

  it("reads with owner, platform or the index's own authorization as the attributes allow", async () => {
    await write(t, TPM_RH.PLATFORM, EK_CERT_INDEX, Buffer.from("certificate"));
    for (const auth of [TPM_RH.OWNER, TPM_RH.PLATFORM, EK_CERT_INDEX]) {
      const r = await read(t, auth, EK_CERT_INDEX, 4, 0);
      expect(Buffer.from(r.response!.data).toString(), `auth 0x${auth.toString(16)}`).to.equal("cert");
    }
    await write(t, OWNER_INDEX, OWNER_INDEX, Buffer.from("owner data"), 0, "pin");
    expect((await read(t, TPM_RH.PLATFORM, OWNER_INDEX, 4)).rc).to.equal(TPM_RC.NV_AUTHORIZATION);
    expect((await read(t, EK_CERT_INDEX, OWNER_INDEX, 4)).rc).to.equal(TPM_RC.NV_AUTHORIZATION);
    expect((await read(t, TPM_RH.ENDORSEMENT, OWNER_INDEX, 4)).rc).to.equal(TPM_RC.VALUE | TPM_RC_H | TPM_RC_1);
    expect(Buffer.from((await read(t, OWNER_INDEX, OWNER_INDEX, 5, 6, "pin")).response!.data).toString("hex")).to.equal("64617461ff");
  });

  it("reads through an HMAC session with the response encrypted", async () => {
    await write(t, TPM_RH.OWNER, OWNER_INDEX, Buffer.from("hmac-protected"));
    const s = await t.client.startSession({ symmetric: { algorithm: 0x000a, keyBits: 0x000b, mode: undefined } });
    const r = await t.client.run("NV_Read", {
      handles: [OWNER_INDEX, OWNER_INDEX],
      auths: [withSession(s, { authValue: "pin", attributes: TPMA_SESSION.continueSession | TPMA_SESSION.encrypt })],
      params: { size: 14, offset: 0 },
    });
    expect(Buffer.from(r.data).toString()).to.equal("hmac-protected");
    expect(t.wire.at(-1)!.response.includes(Buffer.from("hmac-protected"))).to.equal(false);
  });

  it("keeps reads inside the index and the NV buffer", async () => {
    await write(t, TPM_RH.OWNER, OWNER_INDEX, Buffer.alloc(16, 1));
    expect((await read(t, TPM_RH.OWNER, OWNER_INDEX, 17)).rc).to.equal(TPM_RC.NV_RANGE);
    expect((await read(t, TPM_RH.OWNER, OWNER_INDEX, 4, 13)).rc).to.equal(TPM_RC.NV_RANGE);
    expect((await read(t, TPM_RH.OWNER, OWNER_INDEX, 0, 17)).rc).to.equal(param(TPM_RC.VALUE, 2));
    expect((await read(t, TPM_RH.OWNER, OWNER_INDEX, 1025)).rc).to.equal(param(TPM_RC.VALUE, 1));
  });
});
