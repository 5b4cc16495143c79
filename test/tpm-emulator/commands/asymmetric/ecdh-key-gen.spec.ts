import { expect } from "chai";
import { createECDH } from "node:crypto";
import { TPM_RC, TPM_RH, type TpmClient } from "../../../../tpm2/index.js";
import { atHandle, signingKeyTemplate, startedTpm } from "../key-fixture.js";
import { externalEccPair, isOnP256, tpmKey } from "./support.js";

describe("TPM2_ECDH_KeyGen", () => {
  let client: TpmClient;
  before(async () => ({ client } = await startedTpm()));

  it("gives an ephemeral public point and Z that the key holder recomputes with node:crypto", async () => {
    const key = await externalEccPair(client);
    const out = await client.call("ECDH_KeyGen", { handles: [key.handle], params: {} });
    expect(out.rc).to.equal(TPM_RC.SUCCESS);
    const { zPoint, pubPoint } = out.response!;
    expect(isOnP256(pubPoint.x, pubPoint.y)).to.equal(true);
    expect(isOnP256(zPoint.x, zPoint.y)).to.equal(true);
    const holder = createECDH("prime256v1");
    holder.setPrivateKey(key.d);
    const z = holder.computeSecret(Buffer.concat([Buffer.of(4), pubPoint.x, pubPoint.y]));
    expect(Buffer.from(zPoint.x).equals(z)).to.equal(true);
    const again = await client.run("ECDH_KeyGen", { handles: [key.handle], params: {} });
    expect(Buffer.from(again.pubPoint.x).equals(Buffer.from(pubPoint.x)), "a fresh ephemeral key each time").to.equal(false);
    await client.flush(key.handle);
  });

  it("refuses an RSA key (TPM_RC_KEY + H1) and a hierarchy (TPM_RC_VALUE + H1)", async () => {
    const rsa = await tpmKey(client, signingKeyTemplate("rsa"));
    expect((await client.call("ECDH_KeyGen", { handles: [rsa.handle], params: {} })).rc).to.equal(atHandle(TPM_RC.KEY, 1));
    await client.flush(rsa.handle);
    expect((await client.call("ECDH_KeyGen", { handles: [TPM_RH.OWNER], params: {} })).rc).to.equal(atHandle(TPM_RC.VALUE, 1));
  });
});
