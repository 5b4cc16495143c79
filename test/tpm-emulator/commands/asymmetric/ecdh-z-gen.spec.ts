import { expect } from "chai";
import { createECDH } from "node:crypto";
import { TPM_ALG, TPM_RC, pw, type TPMS_ECC_POINT, type TpmClient } from "../../../../tpm2/index.js";
import { atHandle, atParameter, signingKeyTemplate, startedTpm, storageKeyTemplate } from "../key-fixture.js";
import { P256, eccDecryptTemplate, externalEccPair, isOnP256, tpmKey } from "./support.js";

const zGen = (client: TpmClient, handle: number, inPoint: TPMS_ECC_POINT) =>
  client.call("ECDH_ZGen", { handles: [handle], auths: [pw()], params: { inPoint } });

const scalar = (b: Uint8Array) => BigInt(`0x${Buffer.from(b).toString("hex")}`);

describe("TPM2_ECDH_ZGen", () => {
  let client: TpmClient;
  before(async () => ({ client } = await startedTpm()));

  it("returns the whole point d·Q: x is node's ECDH secret, and the point is (d·e)·G", async () => {
    const key = await externalEccPair(client);
    const peer = createECDH("prime256v1");
    const peerPoint = peer.generateKeys();
    const out = await zGen(client, key.handle, { x: peerPoint.subarray(1, 33), y: peerPoint.subarray(33) });
    expect(out.rc).to.equal(TPM_RC.SUCCESS);
    const z = out.response!.outPoint;
    expect(Buffer.from(z.x).equals(peer.computeSecret(Buffer.concat([Buffer.of(4), key.x, key.y])))).to.equal(true);
    // d·(e·G) = (d·e mod n)·G, which node computes as the public key of the private key d·e
    const product = (scalar(key.d) * scalar(peer.getPrivateKey())) % P256.n;
    const expected = createECDH("prime256v1");
    expected.setPrivateKey(Buffer.from(product.toString(16).padStart(64, "0"), "hex"));
    expect(Buffer.concat([Buffer.of(4), z.x, z.y]).equals(expected.getPublicKey())).to.equal(true);
    await client.flush(key.handle);
  });

  it("agrees with TPM2_ECDH_KeyGen on the same TPM-made key with an ECDH scheme", async () => {
    const key = await tpmKey(client, eccDecryptTemplate({ scheme: TPM_ALG.ECDH, details: { hashAlg: TPM_ALG.SHA256 } }));
    const generated = await client.run("ECDH_KeyGen", { handles: [key.handle], params: {} });
    const z = await zGen(client, key.handle, generated.pubPoint);
    expect(Buffer.from(z.response!.outPoint.x).equals(Buffer.from(generated.zPoint.x))).to.equal(true);
    expect(Buffer.from(z.response!.outPoint.y).equals(Buffer.from(generated.zPoint.y))).to.equal(true);
    expect(isOnP256(z.response!.outPoint.x, z.response!.outPoint.y)).to.equal(true);
    await client.flush(key.handle);
  });

  it("refuses a point not on the curve: TPM_RC_ECC_POINT + parameter 1", async () => {
    const key = await tpmKey(client, eccDecryptTemplate());
    const rc = (await zGen(client, key.handle, { x: Buffer.alloc(32, 1), y: Buffer.alloc(32, 2) })).rc;
    expect(rc).to.equal(atParameter(TPM_RC.ECC_POINT, 1));
    await client.flush(key.handle);
  });

  it("refuses a restricted key and a signing key (TPM_RC_ATTRIBUTES + H1), an RSA key (TPM_RC_KEY + H1)", async () => {
    const point = { x: Buffer.alloc(32, 1), y: Buffer.alloc(32, 2) };
    for (const [template, rc] of [
      [storageKeyTemplate("ecc"), atHandle(TPM_RC.ATTRIBUTES, 1)],
      [signingKeyTemplate("ecc"), atHandle(TPM_RC.ATTRIBUTES, 1)],
      [signingKeyTemplate("rsa"), atHandle(TPM_RC.KEY, 1)],
    ] as const) {
      const key = await tpmKey(client, template);
      expect((await zGen(client, key.handle, point)).rc).to.equal(rc);
      await client.flush(key.handle);
    }
  });
});
