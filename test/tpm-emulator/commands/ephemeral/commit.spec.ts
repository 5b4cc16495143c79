import { expect } from "chai";
import { createHash } from "node:crypto";
import { TPM_ALG, TPM_RC, TPM_RH, TPM_SU, TpmClient, pw, type TPMS_ECC_POINT } from "../../../../tpm2/index.js";
import { TpmEmulator } from "../../../../tpm-emulator/index.js";
import {
  EMPTY,
  NULL_HASHCHECK,
  NULL_SCHEME,
  atHandle,
  atParameter,
  createPrimary,
  scheme,
  signingKeyTemplate,
  startedTpm,
} from "../key-fixture.js";
import { eccDecryptTemplate } from "../asymmetric/support.js";
import { G, basenamePoint, big, ecdaa, ecdaaChallenge, ecdaaKeyTemplate, isOnCurve, schnorrHolds, toPoint, toTpm } from "./support.js";

const NO_POINT: TPMS_ECC_POINT = { x: EMPTY, y: EMPTY };
const DIGEST = createHash("sha256").update("what the anonymous signer signs").digest();

describe("TPM2_Commit and ECDAA signing", () => {
  let tpm: TpmEmulator;
  let client: TpmClient;
  beforeEach(async () => ({ tpm, client } = await startedTpm()));

  const commit = (handle: number, P1: TPMS_ECC_POINT = NO_POINT, s2: Buffer = EMPTY, y2: Buffer = EMPTY) =>
    client.call("Commit", { handles: [handle], auths: [pw()], params: { P1, s2, y2 } });
  const committed = async (...args: Parameters<typeof commit>) => {
    const out = await commit(...args);
    expect(out.rc, `rc 0x${out.rc.toString(16)}`).to.equal(TPM_RC.SUCCESS);
    return out.response!;
  };
  const sign = (handle: number, inScheme: ReturnType<typeof ecdaa> | typeof NULL_SCHEME, digest: Buffer = DIGEST) =>
    client.call("Sign", { handles: [handle], auths: [pw()], params: { digest, inScheme, validation: NULL_HASHCHECK } });
  const ecdaaKey = () => createPrimary(client, TPM_RH.OWNER, ecdaaKeyTemplate());

  it("without points returns E = r·G only, and counts 0, 1, 2 …", async () => {
    const key = await ecdaaKey();
    for (const expected of [0, 1, 2]) {
      const out = await committed(key.handle);
      expect(out.counter).to.equal(expected);
      expect(out.K.x.length + out.K.y.length + out.L.x.length + out.L.y.length).to.equal(0);
      expect(isOnCurve(toPoint(out.E))).to.equal(true);
    }
  });

  it("a signature naming the commitment satisfies s·G = E + T·Q with T = H(nonceK ‖ digest)", async () => {
    const key = await ecdaaKey();
    const first = await committed(key.handle);
    const second = await committed(key.handle);
    const Q = toPoint(key.outPublic.unique as TPMS_ECC_POINT);
    for (const c of [second, first]) {
      const out = await sign(key.handle, ecdaa(c.counter));
      expect(out.rc, `rc 0x${out.rc.toString(16)}`).to.equal(TPM_RC.SUCCESS);
      const signature = out.response!.signature;
      expect(signature.sigAlg).to.equal(TPM_ALG.ECDAA);
      const { hash, signatureR, signatureS } = signature.signature as { hash: number; signatureR: Uint8Array; signatureS: Uint8Array };
      expect(hash).to.equal(TPM_ALG.SHA256);
      expect(signatureS.length).to.equal(32);
      const t = ecdaaChallenge(signatureR, DIGEST);
      expect(schnorrHolds(big(signatureS), t, G, toPoint(c.E), Q), `commitment ${c.counter}`).to.equal(true);
      // the same numbers do not verify another digest, nor another commitment
      expect(schnorrHolds(big(signatureS), ecdaaChallenge(signatureR, Buffer.alloc(32)), G, toPoint(c.E), Q)).to.equal(false);
      const other = c === first ? second : first;
      expect(schnorrHolds(big(signatureS), t, G, toPoint(other.E), Q)).to.equal(false);
    }
  });

  it("with P1 = G and a basename point P2: K = d·P2, L = r·P2, E = r·G, and the signature satisfies both equations", async () => {
    const key = await ecdaaKey();
    const basename = basenamePoint("verifier basename");
    const out = await committed(key.handle, toTpm(G), basename.s2, basename.y2);
    const Q = toPoint(key.outPublic.unique as TPMS_ECC_POINT);
    const signed = await sign(key.handle, ecdaa(out.counter));
    expect(signed.rc).to.equal(TPM_RC.SUCCESS);
    const { signatureR, signatureS } = signed.response!.signature.signature as { signatureR: Uint8Array; signatureS: Uint8Array };
    const t = ecdaaChallenge(signatureR, DIGEST);
    expect(schnorrHolds(big(signatureS), t, G, toPoint(out.E), Q)).to.equal(true);
    expect(schnorrHolds(big(signatureS), t, basename.point, toPoint(out.L), toPoint(out.K))).to.equal(true);
  });

  it("E = r·P1 with the r of L = r·P2: committing with P1 = P2 gives E = L; with P1 alone K and L are empty", async () => {
    const key = await ecdaaKey();
    const basename = basenamePoint("another base");
    const both = await committed(key.handle, toTpm(basename.point), basename.s2, basename.y2);
    expect(toPoint(both.E)).to.deep.equal(toPoint(both.L));
    const alone = await committed(key.handle, toTpm(basename.point));
    expect(alone.K.x.length + alone.L.x.length).to.equal(0);
    expect(isOnCurve(toPoint(alone.E))).to.equal(true);
    expect(toPoint(alone.E)).to.not.deep.equal(toPoint(both.E));
  });

  it("a commitment signs once: the second signature with its counter is TPM_RC_VALUE", async () => {
    const key = await ecdaaKey();
    const { counter } = await committed(key.handle);
    expect((await sign(key.handle, ecdaa(counter))).rc).to.equal(TPM_RC.SUCCESS);
    expect((await sign(key.handle, ecdaa(counter))).rc).to.equal(TPM_RC.VALUE);
  });

  it("a counter never committed is TPM_RC_VALUE, and the key's own scheme left NULL is TPM_RC_SCHEME + P2", async () => {
    const key = await ecdaaKey();
    expect((await sign(key.handle, ecdaa(0))).rc).to.equal(TPM_RC.VALUE);
    await committed(key.handle);
    expect((await sign(key.handle, ecdaa(5))).rc).to.equal(TPM_RC.VALUE);
    expect((await sign(key.handle, NULL_SCHEME)).rc).to.equal(atParameter(TPM_RC.SCHEME, 2));
  });

  it("a commitment made with one key does not give another key's signature its r", async () => {
    const a = await ecdaaKey();
    const b = await createPrimary(client, TPM_RH.ENDORSEMENT, ecdaaKeyTemplate());
    const out = await committed(a.handle);
    const signed = await sign(b.handle, ecdaa(out.counter));
    expect(signed.rc).to.equal(TPM_RC.SUCCESS);
    const { signatureR, signatureS } = signed.response!.signature.signature as { signatureR: Uint8Array; signatureS: Uint8Array };
    const Qb = toPoint(b.outPublic.unique as TPMS_ECC_POINT);
    expect(schnorrHolds(big(signatureS), ecdaaChallenge(signatureR, DIGEST), G, toPoint(out.E), Qb)).to.equal(false);
  });

  it("an ECC key with no scheme signs ECDAA when the caller names it", async () => {
    const key = await createPrimary(client, TPM_RH.OWNER, signingKeyTemplate("ecc"));
    expect((await commit(key.handle)).rc).to.equal(atHandle(TPM_RC.SCHEME, 1));
    expect((await sign(key.handle, ecdaa(0))).rc).to.equal(TPM_RC.VALUE);
  });

  it("refuses a key that is not ECC (TPM_RC_KEY + H1) or whose scheme is not anonymous (TPM_RC_SCHEME + H1)", async () => {
    const rsa = await createPrimary(client, TPM_RH.OWNER, signingKeyTemplate("rsa"));
    expect((await commit(rsa.handle)).rc).to.equal(atHandle(TPM_RC.KEY, 1));
    const ecdsa = await createPrimary(client, TPM_RH.OWNER, signingKeyTemplate("ecc", scheme(TPM_ALG.ECDSA)));
    expect((await commit(ecdsa.handle)).rc).to.equal(atHandle(TPM_RC.SCHEME, 1));
    const ecdh = await createPrimary(client, TPM_RH.OWNER, eccDecryptTemplate());
    expect((await commit(ecdh.handle)).rc).to.equal(atHandle(TPM_RC.SCHEME, 1));
  });

  it("checks s2/y2 and the points: TPM_RC_SIZE + P3, TPM_RC_ECC_POINT + P2 and + P1; nothing is committed", async () => {
    const key = await ecdaaKey();
    expect((await commit(key.handle, NO_POINT, Buffer.from("s2"), EMPTY)).rc).to.equal(atParameter(TPM_RC.SIZE, 3));
    expect((await commit(key.handle, NO_POINT, EMPTY, Buffer.alloc(32, 1))).rc).to.equal(atParameter(TPM_RC.SIZE, 3));
    const basename = basenamePoint("bad y");
    const wrongY = Buffer.from(basename.y2);
    wrongY[31] = wrongY[31]! ^ 1;
    expect((await commit(key.handle, NO_POINT, basename.s2, wrongY)).rc).to.equal(atParameter(TPM_RC.ECC_POINT, 2));
    expect((await commit(key.handle, { x: Buffer.alloc(32, 1), y: Buffer.alloc(32, 2) })).rc).to.equal(atParameter(TPM_RC.ECC_POINT, 1));
    expect((await committed(key.handle)).counter).to.equal(0);
  });

  it("outstanding commitments survive Shutdown(STATE) and Startup(STATE), also through the state file, and not a TPM Reset", async () => {
    const key = await createPrimary(client, TPM_RH.OWNER, ecdaaKeyTemplate());
    const template = ecdaaKeyTemplate();
    const c0 = await committed(key.handle);
    await committed(key.handle);
    await client.run("Shutdown", { params: { shutdownType: TPM_SU.STATE } });
    const reloaded = TpmEmulator.fromStateBytes(tpm.stateBytes());
    const again = new TpmClient((c) => reloaded.execute(c));
    await again.run("Startup", { params: { startupType: TPM_SU.STATE } });
    const same = await createPrimary(again, TPM_RH.OWNER, template);
    const signed = await again.call("Sign", { handles: [same.handle], auths: [pw()], params: { digest: DIGEST, inScheme: ecdaa(c0.counter), validation: NULL_HASHCHECK } });
    expect(signed.rc).to.equal(TPM_RC.SUCCESS);
    const { signatureR, signatureS } = signed.response!.signature.signature as { signatureR: Uint8Array; signatureS: Uint8Array };
    const Q = toPoint(same.outPublic.unique as TPMS_ECC_POINT);
    expect(schnorrHolds(big(signatureS), ecdaaChallenge(signatureR, DIGEST), G, toPoint(c0.E), Q)).to.equal(true);
    const next = await again.run("Commit", { handles: [same.handle], auths: [pw()], params: { P1: NO_POINT, s2: EMPTY, y2: EMPTY } });
    expect(next.counter).to.equal(2);

    reloaded.reset();
    await again.run("Startup", { params: { startupType: TPM_SU.CLEAR } });
    const fresh = await createPrimary(again, TPM_RH.OWNER, template);
    const afterReset = await again.call("Sign", { handles: [fresh.handle], auths: [pw()], params: { digest: DIGEST, inScheme: ecdaa(1), validation: NULL_HASHCHECK } });
    expect(afterReset.rc).to.equal(TPM_RC.VALUE);
    const restarted = await again.run("Commit", { handles: [fresh.handle], auths: [pw()], params: { P1: NO_POINT, s2: EMPTY, y2: EMPTY } });
    expect(restarted.counter).to.equal(0);
  });
});
