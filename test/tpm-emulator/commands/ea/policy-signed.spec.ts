// TPM2_PolicySigned, TPM2_PolicyTicket and TPM2_PolicyAuthorize with signatures made here by node:crypto, and policy
// session expiry (TPM_RC_EXPIRED) measured in TPM Time.
import { expect } from "chai";
import { createPrivateKey, createSign, type KeyObject } from "node:crypto";
import { TPMA_OBJECT, TPM_ALG, TPM_CC, TPM_RC, TPM_ST, withSession, type ClientSession, type TPMT_SIGNATURE } from "../../../../tpm2/index.js";
import { atParameter, atSession } from "../nv/support.js";
import { EMPTY, loadEccKey, startedTpm, u32, type LoadedKey, type StartedTpm } from "../session/support.js";
import { GUARDED_INDEX, defineGuardedIndex, policyUpdate, sha256 } from "./support.js";

const ZERO = Buffer.alloc(32);
const SIGNER = TPMA_OBJECT.sign | TPMA_OBJECT.userWithAuth | TPMA_OBJECT.sensitiveDataOrigin | TPMA_OBJECT.noDA;

function ecdsa(privateKey: KeyObject, message: Uint8Array): TPMT_SIGNATURE {
  const sig = createSign("sha256").update(message).sign({ key: privateKey, dsaEncoding: "ieee-p1363" });
  return { sigAlg: TPM_ALG.ECDSA, signature: { hash: TPM_ALG.SHA256, signatureR: sig.subarray(0, 32), signatureS: sig.subarray(32) } };
}

function i32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(v);
  return b;
}

interface Signer extends LoadedKey {
  privateKey: KeyObject;
  name: Buffer;
}

async function signer(t: StartedTpm): Promise<Signer> {
  const key = loadEccKey(t.tpm, SIGNER);
  const object = t.tpm.runtime.object(key.handle)!;
  const d = Buffer.from(object.sensitive!.sensitive);
  const { x, y } = key.publicArea.unique as { x: Uint8Array; y: Uint8Array };
  const privateKey = createPrivateKey({
    key: { kty: "EC", crv: "P-256", d: d.toString("base64url"), x: Buffer.from(x).toString("base64url"), y: Buffer.from(y).toString("base64url") },
    format: "jwk",
  });
  return { ...key, privateKey, name: await t.client.nameOf(key.handle) };
}

const policySigned = (t: StartedTpm, key: Signer, s: ClientSession, opts: { nonce?: Buffer; expiration?: number; policyRef?: Buffer; auth?: TPMT_SIGNATURE } = {}) => {
  const nonceTPM = opts.nonce ?? EMPTY;
  const expiration = opts.expiration ?? 0;
  const policyRef = opts.policyRef ?? EMPTY;
  const auth = opts.auth ?? ecdsa(key.privateKey, Buffer.concat([nonceTPM, i32(expiration), EMPTY, policyRef]));
  return t.client.call("PolicySigned", { handles: [key.handle, s.handle], params: { nonceTPM, cpHashA: EMPTY, policyRef, expiration, auth } });
};
const digestOf = async (t: StartedTpm, s: ClientSession) => Buffer.from((await t.client.run("PolicyGetDigest", { handles: [s.handle], params: {} })).policyDigest);
const readGuarded = (t: StartedTpm, s: ClientSession) =>
  t.client.call("NV_Read", { handles: [GUARDED_INDEX, GUARDED_INDEX], auths: [withSession(s)], params: { size: 8, offset: 0 } });

describe("TPM2_PolicySigned", () => {
  let t: StartedTpm;
  let key: Signer;
  beforeEach(async () => {
    t = await startedTpm();
    key = await signer(t);
  });

  it("accepts a signature over H(nonceTPM || expiration || cpHashA || policyRef) and authorizes with it", async () => {
    const policyRef = Buffer.from("ref");
    const expected = policyUpdate(ZERO, TPM_CC.PolicySigned, key.name, policyRef);
    await defineGuardedIndex(t, expected);
    const s = await t.client.startSession({ type: "policy" });
    expect((await policySigned(t, key, s, { nonce: s.nonceTPM, policyRef })).rc).to.equal(TPM_RC.SUCCESS);
    expect(await digestOf(t, s)).to.deep.equal(expected);
    expect((await readGuarded(t, s)).rc).to.equal(TPM_RC.SUCCESS);
  });

  it("refuses a signature over other data (TPM_RC_SIGNATURE + P5) and another session's nonce (TPM_RC_NONCE + P1)", async () => {
    const s = await t.client.startSession({ type: "policy" });
    expect((await policySigned(t, key, s, { auth: ecdsa(key.privateKey, Buffer.from("other")) })).rc).to.equal(atParameter(TPM_RC.SIGNATURE, 5));
    expect((await policySigned(t, key, s, { nonce: Buffer.alloc(32, 1) })).rc).to.equal(atParameter(TPM_RC.NONCE, 1));
  });

  it("with a negative expiration returns a ticket TPM2_PolicyTicket accepts in another session", async () => {
    const s = await t.client.startSession({ type: "policy" });
    const out = await policySigned(t, key, s, { nonce: s.nonceTPM, expiration: -600 });
    expect(out.rc).to.equal(TPM_RC.SUCCESS);
    const { timeout, policyTicket } = out.response!;
    expect(timeout.length).to.equal(8);
    expect(policyTicket.tag).to.equal(TPM_ST.AUTH_SIGNED);

    const other = await t.client.startSession({ type: "policy" });
    const ticket = (tk = policyTicket) =>
      t.client.call("PolicyTicket", { handles: [other.handle], params: { timeout, cpHashA: EMPTY, policyRef: EMPTY, authName: key.name, ticket: tk } });
    const forged = { ...policyTicket, digest: Buffer.alloc(policyTicket.digest.length, 7) };
    expect((await ticket(forged)).rc).to.equal(atParameter(TPM_RC.TICKET, 5));
    expect((await ticket()).rc).to.equal(TPM_RC.SUCCESS);
    expect(await digestOf(t, other)).to.deep.equal(policyUpdate(ZERO, TPM_CC.PolicySigned, key.name, EMPTY));
  });

  it("a session whose authorization expired answers TPM_RC_EXPIRED + session 1", async () => {
    const expected = policyUpdate(ZERO, TPM_CC.PolicySigned, key.name, EMPTY);
    await defineGuardedIndex(t, expected);
    const s = await t.client.startSession({ type: "policy" });
    expect((await policySigned(t, key, s, { nonce: s.nonceTPM, expiration: 2 })).rc).to.equal(TPM_RC.SUCCESS);
    const realNow = Date.now;
    const later = realNow() + 5000;
    Date.now = () => later;
    try {
      expect((await readGuarded(t, s)).rc).to.equal(atSession(TPM_RC.EXPIRED, 1));
    } finally {
      Date.now = realNow;
    }
  });
});

describe("TPM2_PolicyAuthorize", () => {
  it("replaces an approved policy by PolicyUpdate(PolicyAuthorize, keySign, policyRef) given a verified ticket", async () => {
    const t = await startedTpm();
    const key = await signer(t);
    const policyRef = Buffer.from("v1");
    const authorized = policyUpdate(ZERO, TPM_CC.PolicyAuthorize, key.name, policyRef);
    await defineGuardedIndex(t, authorized);
    const approved = sha256(ZERO, u32(TPM_CC.PolicyCommandCode), u32(TPM_CC.NV_Read));
    const aHash = sha256(approved, policyRef);
    const { validation } = await t.client.run("VerifySignature", {
      handles: [key.handle],
      params: { digest: aHash, signature: ecdsa(key.privateKey, Buffer.concat([approved, policyRef])) },
    });

    const s = await t.client.startSession({ type: "policy" });
    const authorize = (approvedPolicy: Buffer, checkTicket = validation) =>
      t.client.call("PolicyAuthorize", { handles: [s.handle], params: { approvedPolicy, policyRef, keySign: key.name, checkTicket } });
    expect((await authorize(approved)).rc).to.equal(atParameter(TPM_RC.VALUE, 1));
    await t.client.run("PolicyCommandCode", { handles: [s.handle], params: { code: TPM_CC.NV_Read } });
    expect((await authorize(approved, { ...validation, digest: Buffer.alloc(validation.digest.length) })).rc).to.equal(atParameter(TPM_RC.VALUE, 4));
    expect((await authorize(approved)).rc).to.equal(TPM_RC.SUCCESS);
    expect(await digestOf(t, s)).to.deep.equal(authorized);
    expect((await readGuarded(t, s)).rc).to.equal(TPM_RC.SUCCESS);
  });

  it("wants keySign to be a Name (TPM_RC_SIZE + P3)", async () => {
    const t = await startedTpm();
    const s = await t.client.startSession({ type: "trial" });
    const out = await t.client.call("PolicyAuthorize", {
      handles: [s.handle],
      params: { approvedPolicy: ZERO, policyRef: EMPTY, keySign: Buffer.from([0, 0x0b, 1]), checkTicket: { tag: TPM_ST.VERIFIED, hierarchy: 0x40000007, digest: EMPTY } },
    });
    expect(out.rc).to.equal(atParameter(TPM_RC.SIZE, 3));
  });
});
