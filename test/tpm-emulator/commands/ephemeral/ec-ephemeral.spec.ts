import { expect } from "chai";
import { createECDH } from "node:crypto";
import { TPM_ALG, TPM_ECC_CURVE, TPM_RC, TPM_RH, pw, type TPMS_ECC_POINT, type TpmClient } from "../../../../tpm2/index.js";
import { atHandle, atParameter, createPrimary, signingKeyTemplate, startedTpm, storageKeyTemplate } from "../key-fixture.js";
import { eccDecryptTemplate } from "../asymmetric/support.js";
import { G, isOnCurve, multiply, toPoint, toTpm } from "./support.js";

/** A P-256 key pair made by node:crypto: its scalar and public point. */
function nodeKeyPair() {
  const ecdh = createECDH("prime256v1");
  const pub = ecdh.generateKeys();
  return { ecdh, point: { x: pub.subarray(1, 33), y: pub.subarray(33) } as TPMS_ECC_POINT };
}

/** node:crypto's ECDH x-coordinate of `ecdh`'s scalar times `point`. */
const sharedX = (ecdh: ReturnType<typeof createECDH>, point: TPMS_ECC_POINT) =>
  ecdh.computeSecret(Buffer.concat([Buffer.of(4), point.x, point.y]));

describe("TPM2_EC_Ephemeral and TPM2_ZGen_2Phase", () => {
  let client: TpmClient;
  beforeEach(async () => ({ client } = await startedTpm()));

  const ephemeral = (curveID: number = TPM_ECC_CURVE.NIST_P256) => client.call("EC_Ephemeral", { params: { curveID } });
  const zGen = (key: number, inQsB: TPMS_ECC_POINT, inQeB: TPMS_ECC_POINT, counter: number, inScheme: number = TPM_ALG.ECDH) =>
    client.call("ZGen_2Phase", { handles: [key], auths: [pw()], params: { inQsB, inQeB, inScheme, counter } });

  it("EC_Ephemeral returns points of the curve under counters 0, 1, …; an unknown curve is TPM_RC_CURVE + P1", async () => {
    const first = await ephemeral();
    const second = await ephemeral(TPM_ECC_CURVE.NIST_P384);
    expect(first.rc).to.equal(TPM_RC.SUCCESS);
    expect([first.response!.counter, second.response!.counter]).to.deep.equal([0, 1]);
    expect(isOnCurve(toPoint(first.response!.Q))).to.equal(true);
    expect(second.response!.Q.x.length).to.equal(48);
    expect((await ephemeral(0x0010)).rc).to.equal(atParameter(TPM_RC.CURVE, 1));
  });

  it("ZGen_2Phase(ECDH): Z1 = dsA·QsB and Z2 = deA·QeB, equal to what party B computes with node:crypto", async () => {
    const keyA = await createPrimary(client, TPM_RH.OWNER, eccDecryptTemplate());
    const QsA = keyA.outPublic.unique as TPMS_ECC_POINT;
    const { Q: QeA, counter } = (await ephemeral()).response!;
    const staticB = nodeKeyPair();
    const ephemeralB = nodeKeyPair();
    const out = await zGen(keyA.handle, staticB.point, ephemeralB.point, counter);
    expect(out.rc, `rc 0x${out.rc.toString(16)}`).to.equal(TPM_RC.SUCCESS);
    const { outZ1, outZ2 } = out.response!;
    expect(Buffer.from(outZ1.x).equals(sharedX(staticB.ecdh, QsA))).to.equal(true);
    expect(Buffer.from(outZ2.x).equals(sharedX(ephemeralB.ecdh, QeA))).to.equal(true);
    // the whole points: y too
    const b = BigInt(`0x${ephemeralB.ecdh.getPrivateKey("hex")}`);
    expect(toPoint(outZ2)).to.deep.equal(multiply(b, toPoint(QeA)));
  });

  it("an ephemeral key is used once: the second ZGen_2Phase with its counter is TPM_RC_VALUE + P4", async () => {
    const keyA = await createPrimary(client, TPM_RH.OWNER, eccDecryptTemplate());
    const { counter } = (await ephemeral()).response!;
    const B = nodeKeyPair().point;
    expect((await zGen(keyA.handle, B, B, counter)).rc).to.equal(TPM_RC.SUCCESS);
    expect((await zGen(keyA.handle, B, B, counter)).rc).to.equal(atParameter(TPM_RC.VALUE, 4));
    expect((await zGen(keyA.handle, B, B, 7)).rc).to.equal(atParameter(TPM_RC.VALUE, 4));
  });

  it("different ephemeral keys give different Z2 and the same Z1", async () => {
    const keyA = await createPrimary(client, TPM_RH.OWNER, eccDecryptTemplate());
    const c0 = (await ephemeral()).response!.counter;
    const c1 = (await ephemeral()).response!.counter;
    const B = nodeKeyPair().point;
    const z0 = (await zGen(keyA.handle, B, B, c0)).response!;
    const z1 = (await zGen(keyA.handle, B, B, c1)).response!;
    expect(Buffer.from(z0.outZ1.x).equals(Buffer.from(z1.outZ1.x))).to.equal(true);
    expect(Buffer.from(z0.outZ2.x).equals(Buffer.from(z1.outZ2.x))).to.equal(false);
  });

  it("refuses keys and inputs as the reference does", async () => {
    const { counter } = (await ephemeral()).response!;
    const B = nodeKeyPair().point;
    const offCurve = { x: Buffer.alloc(32, 1), y: Buffer.alloc(32, 2) };
    const rsa = await createPrimary(client, TPM_RH.OWNER, signingKeyTemplate("rsa"));
    expect((await zGen(rsa.handle, B, B, counter)).rc).to.equal(atHandle(TPM_RC.KEY, 1));
    const signer = await createPrimary(client, TPM_RH.OWNER, signingKeyTemplate("ecc"));
    expect((await zGen(signer.handle, B, B, counter)).rc).to.equal(atHandle(TPM_RC.ATTRIBUTES, 1));
    const storage = await createPrimary(client, TPM_RH.OWNER, storageKeyTemplate("ecc"));
    expect((await zGen(storage.handle, B, B, counter)).rc).to.equal(atHandle(TPM_RC.ATTRIBUTES, 1));
    const keyA = await createPrimary(client, TPM_RH.ENDORSEMENT, eccDecryptTemplate());
    expect((await zGen(keyA.handle, B, B, counter, TPM_ALG.NULL)).rc).to.equal(atParameter(TPM_RC.SCHEME, 3));
    expect((await zGen(keyA.handle, B, B, counter, TPM_ALG.ECDSA)).rc).to.equal(atParameter(TPM_RC.SCHEME, 3));
    expect((await zGen(keyA.handle, offCurve, B, counter)).rc).to.equal(atParameter(TPM_RC.ECC_POINT, 1));
    expect((await zGen(keyA.handle, B, offCurve, counter)).rc).to.equal(atParameter(TPM_RC.ECC_POINT, 2));
    expect((await zGen(keyA.handle, toTpm(G), B, counter)).rc).to.equal(TPM_RC.SUCCESS);
  });
});
