import { expect } from "chai";
import { constants, createHash, diffieHellman, generateKeyPairSync, publicEncrypt, randomBytes } from "node:crypto";
import {
  TPM_ALG,
  TPM_HC,
  TPM_RC,
  TPM_RC_1,
  TPM_RC_H,
  TPM_RC_P,
  TPM_RH,
  TPM_RS_PW,
  TPM_SE,
  TPMA_NV,
  TPMA_OBJECT,
  TPMA_SESSION,
  TPMS_ECC_POINT,
  marshal,
  pw,
  withSession,
  type ClientSession,
  type TPMS_ECC_POINT as EccPoint,
  type TPMT_SYM_DEF,
} from "../../../../tpm2/index.js";
import { AES_128_CFB, EMPTY, NULL_SYM, loadEccKey, loadRsaKey, startedTpm, type StartedTpm } from "./support.js";

const param = (rc: number, n: number) => rc | TPM_RC_P | (n * TPM_RC_1);
const handle = (rc: number, n: number) => rc | TPM_RC_H | (n * TPM_RC_1);

const NV_INDEX = 0x01500020;
const NV_AUTH = Buffer.from("nv secret");
const SECRET = Buffer.from("the quick brown fox");
const continueWith = (bits: number) => TPMA_SESSION.continueSession | bits;

interface RawStart {
  tpmKey?: number;
  bind?: number;
  nonceCaller?: Buffer;
  encryptedSalt?: Buffer;
  sessionType?: number;
  symmetric?: TPMT_SYM_DEF;
  authHash?: number;
}

async function start(t: StartedTpm, opts: RawStart = {}) {
  return t.client.call("StartAuthSession", {
    handles: [opts.tpmKey ?? TPM_RH.NULL, opts.bind ?? TPM_RH.NULL],
    params: {
      nonceCaller: opts.nonceCaller ?? randomBytes(32),
      encryptedSalt: opts.encryptedSalt ?? EMPTY,
      sessionType: opts.sessionType ?? TPM_SE.HMAC,
      symmetric: opts.symmetric ?? NULL_SYM,
      authHash: opts.authHash ?? TPM_ALG.SHA256,
    },
  });
}

/** KDFe (Part 1 §11.4.10.3) for one block of SHA-256, written out with node:crypto. */
function kdfeSha256(z: Buffer, label: string, partyU: Uint8Array, partyV: Uint8Array): Buffer {
  return createHash("sha256")
    .update(Buffer.of(0, 0, 0, 1))
    .update(z)
    .update(Buffer.from(`${label}\0`))
    .update(partyU)
    .update(partyV)
    .digest();
}

/**
 * With `session` (salted, AES-CFB): defines an index whose auth travels encrypted, writes SECRET to it with the
 * data encrypted, and reads it back with the response encrypted. Returns what was read.
 */
async function roundTripEncrypted(t: StartedTpm, session: ClientSession): Promise<Buffer> {
  await t.client.run("NV_DefineSpace", {
    handles: [TPM_RH.OWNER],
    auths: [withSession(session, { attributes: continueWith(TPMA_SESSION.decrypt) })],
    params: {
      auth: NV_AUTH,
      publicInfo: {
        nvIndex: NV_INDEX,
        nameAlg: TPM_ALG.SHA256,
        attributes: TPMA_NV.AUTHREAD | TPMA_NV.AUTHWRITE | TPMA_NV.NO_DA,
        authPolicy: EMPTY,
        dataSize: 32,
      },
    },
  });
  await t.client.run("NV_Write", {
    handles: [NV_INDEX, NV_INDEX],
    auths: [withSession(session, { authValue: NV_AUTH, attributes: continueWith(TPMA_SESSION.decrypt) })],
    params: { data: SECRET, offset: 0 },
  });
  const read = await t.client.run("NV_Read", {
    handles: [NV_INDEX, NV_INDEX],
    auths: [withSession(session, { authValue: NV_AUTH, attributes: continueWith(TPMA_SESSION.encrypt) })],
    params: { size: SECRET.length, offset: 0 },
  });
  return Buffer.from(read.data);
}

function sawPlaintext(t: StartedTpm, secret: Buffer): boolean {
  return t.wire.some(({ command, response }) => command.includes(secret) || response.includes(secret));
}

describe("TPM2_StartAuthSession", () => {
  let t: StartedTpm;
  beforeEach(async () => {
    t = await startedTpm();
  });

  describe("unsalted sessions", () => {
    it("starts HMAC sessions in the 0x02 range and policy and trial sessions in the 0x03 range", async () => {
      const hmac = await start(t);
      const policy = await start(t, { sessionType: TPM_SE.POLICY });
      const trial = await start(t, { sessionType: TPM_SE.TRIAL });
      expect([hmac.rc, policy.rc, trial.rc]).to.deep.equal([0, 0, 0]);
      expect(hmac.handle! >>> 24).to.equal(TPM_HC.HMAC_SESSION_FIRST >>> 24);
      expect(policy.handle! >>> 24).to.equal(TPM_HC.POLICY_SESSION_FIRST >>> 24);
      expect(trial.handle! >>> 24).to.equal(TPM_HC.POLICY_SESSION_FIRST >>> 24);
      expect(new Set([hmac.handle! & 0xffffff, policy.handle! & 0xffffff, trial.handle! & 0xffffff]).size).to.equal(3);
    });

    it("returns a fresh nonceTPM as long as nonceCaller", async () => {
      const a = await start(t, { nonceCaller: randomBytes(16) });
      const b = await start(t, { nonceCaller: randomBytes(32) });
      const c = await start(t, { nonceCaller: randomBytes(20), authHash: TPM_ALG.SHA1 });
      expect(a.response!.nonceTPM).to.have.length(16);
      expect(b.response!.nonceTPM).to.have.length(32);
      expect(c.response!.nonceTPM).to.have.length(20);
      expect(Buffer.from(a.response!.nonceTPM).equals(Buffer.from(b.response!.nonceTPM).subarray(0, 16))).to.equal(false);
    });

    it("gives an HMAC session that authorizes a command with the owner's authValue", async () => {
      await t.client.run("HierarchyChangeAuth", { handles: [TPM_RH.OWNER], auths: [pw()], params: { newAuth: Buffer.from("owner") } });
      const session = await t.client.startSession();
      const ok = await t.client.call("NV_DefineSpace", {
        handles: [TPM_RH.OWNER],
        auths: [withSession(session, { authValue: "owner" })],
        params: { auth: EMPTY, publicInfo: { nvIndex: NV_INDEX, nameAlg: TPM_ALG.SHA256, attributes: TPMA_NV.OWNERREAD | TPMA_NV.OWNERWRITE, authPolicy: EMPTY, dataSize: 8 } },
      });
      expect(ok.rc).to.equal(TPM_RC.SUCCESS);
      const bad = await t.client.call("HierarchyChangeAuth", {
        handles: [TPM_RH.OWNER],
        auths: [withSession(session, { authValue: "not the owner" })],
        params: { newAuth: EMPTY },
      });
      expect(bad.rc).to.equal(TPM_RC.BAD_AUTH | 0x800 | TPM_RC_1);
    });

    it("binds an HMAC session to an entity: its authValue goes into the session key, not into each HMAC", async () => {
      await t.client.run("HierarchyChangeAuth", { handles: [TPM_RH.OWNER], auths: [pw()], params: { newAuth: Buffer.from("owner") } });
      const bound = await t.client.startSession({ bind: TPM_RH.OWNER, bindAuth: Buffer.from("owner") });
      const r = await t.client.call("NV_DefineSpace", {
        handles: [TPM_RH.OWNER],
        auths: [withSession(bound, { authValue: "owner" })],
        params: { auth: EMPTY, publicInfo: { nvIndex: NV_INDEX, nameAlg: TPM_ALG.SHA256, attributes: TPMA_NV.OWNERREAD | TPMA_NV.OWNERWRITE, authPolicy: EMPTY, dataSize: 8 } },
      });
      expect(r.rc).to.equal(TPM_RC.SUCCESS);
      const wrongBind = await t.client.startSession({ bind: TPM_RH.OWNER, bindAuth: Buffer.from("guess") });
      const denied = await t.client.call("HierarchyChangeAuth", {
        handles: [TPM_RH.OWNER],
        auths: [withSession(wrongBind, { authValue: "owner" })],
        params: { newAuth: EMPTY },
      });
      expect(denied.rc).to.equal(TPM_RC.BAD_AUTH | 0x800 | TPM_RC_1);
    });
  });

  describe("salted sessions", () => {
    it("accepts a salt RSA-OAEP-encrypted to an RSA key and keys parameter encryption with it", async () => {
      const key = loadRsaKey(t.tpm);
      const salt = randomBytes(32);
      const encryptedSalt = publicEncrypt(
        { key: key.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256", oaepLabel: Buffer.from("SECRET\0") },
        salt,
      );
      const session = await t.client.startSession({ tpmKey: key.handle, salt, encryptedSalt, symmetric: AES_128_CFB });
      expect(await roundTripEncrypted(t, session)).to.deep.equal(SECRET);
      expect(sawPlaintext(t, SECRET)).to.equal(false);
      expect(sawPlaintext(t, NV_AUTH)).to.equal(false);
    });

    it("accepts a salt sent as an ephemeral ECDH point to an ECC key (KDFe \"SECRET\")", async () => {
      const key = loadEccKey(t.tpm);
      const ephemeral = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
      const jwk = ephemeral.publicKey.export({ format: "jwk" });
      const qe: EccPoint = { x: Buffer.from(jwk.x!, "base64url"), y: Buffer.from(jwk.y!, "base64url") };
      const qs = key.publicArea.unique as EccPoint;
      const z = diffieHellman({ privateKey: ephemeral.privateKey, publicKey: key.publicKey });
      const salt = kdfeSha256(z, "SECRET", qe.x, qs.x);
      const session = await t.client.startSession({
        tpmKey: key.handle,
        salt,
        encryptedSalt: marshal(TPMS_ECC_POINT, qe),
        symmetric: AES_128_CFB,
      });
      expect(await roundTripEncrypted(t, session)).to.deep.equal(SECRET);
      expect(sawPlaintext(t, SECRET)).to.equal(false);
    });

    it("refuses a salt encrypted to another key (TPM_RC_VALUE on encryptedSalt)", async () => {
      const key = loadRsaKey(t.tpm);
      const other = generateKeyPairSync("rsa", { modulusLength: 2048 });
      const encryptedSalt = publicEncrypt(
        { key: other.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256", oaepLabel: Buffer.from("SECRET\0") },
        randomBytes(32),
      );
      const r = await start(t, { tpmKey: key.handle, encryptedSalt });
      expect(r.rc).to.equal(param(TPM_RC.VALUE, 2));
    });

    it("fails a salt whose ECC point is not on the curve", async () => {
      const key = loadEccKey(t.tpm);
      const r = await start(t, { tpmKey: key.handle, encryptedSalt: marshal(TPMS_ECC_POINT, { x: Buffer.alloc(32, 1), y: Buffer.alloc(32, 2) }) });
      expect(r.rc).to.equal(param(TPM_RC.VALUE, 2));
    });

    it("needs tpmKey to be a decryption key with its private part", async () => {
      const O = TPMA_OBJECT;
      const signing = loadEccKey(t.tpm, O.fixedTPM | O.fixedParent | O.sensitiveDataOrigin | O.userWithAuth | O.sign);
      expect((await start(t, { tpmKey: signing.handle, encryptedSalt: Buffer.alloc(8, 1) })).rc).to.equal(handle(TPM_RC.ATTRIBUTES, 1));
      const publicOnly = loadEccKey(t.tpm, undefined, true);
      expect((await start(t, { tpmKey: publicOnly.handle, encryptedSalt: Buffer.alloc(8, 1) })).rc).to.equal(handle(TPM_RC.HANDLE, 1));
      const decrypt = loadRsaKey(t.tpm);
      expect((await start(t, { tpmKey: decrypt.handle })).rc).to.equal(param(TPM_RC.VALUE, 2));
    });
  });

  describe("parameter checks", () => {
    it("wants nonceCaller of 16 octets up to a digest of authHash", async () => {
      expect((await start(t, { nonceCaller: randomBytes(15) })).rc).to.equal(param(TPM_RC.SIZE, 1));
      expect((await start(t, { nonceCaller: randomBytes(21), authHash: TPM_ALG.SHA1 })).rc).to.equal(param(TPM_RC.SIZE, 1));
    });

    it("refuses an unknown session type, a salt without tpmKey and AES outside CFB mode", async () => {
      expect((await start(t, { sessionType: 2 })).rc).to.equal(param(TPM_RC.VALUE, 3));
      expect((await start(t, { encryptedSalt: Buffer.alloc(4, 1) })).rc).to.equal(param(TPM_RC.VALUE, 2));
      const ctr = { algorithm: TPM_ALG.AES, keyBits: 128, mode: TPM_ALG.CTR };
      expect((await start(t, { symmetric: ctr })).rc).to.equal(param(TPM_RC.MODE, 4));
      expect((await start(t, { symmetric: { algorithm: TPM_ALG.XOR, keyBits: TPM_ALG.SHA256, mode: undefined } })).rc).to.equal(TPM_RC.SUCCESS);
    });

    it("refuses handles of the wrong kind for tpmKey and bind", async () => {
      expect((await start(t, { tpmKey: 3 })).rc).to.equal(handle(TPM_RC.VALUE, 1));
      expect((await start(t, { tpmKey: TPM_RH.OWNER })).rc).to.equal(handle(TPM_RC.VALUE, 1));
      expect((await start(t, { bind: TPM_RS_PW })).rc).to.equal(handle(TPM_RC.VALUE, 2));
      expect((await start(t, { bind: TPM_RH.OWNER })).rc).to.equal(TPM_RC.SUCCESS);
    });

    it("reports TPM_RC_SESSION_HANDLES when every session slot is taken", async () => {
      const small = await startedTpm({ limits: { sessionSlots: 2 } });
      expect((await start(small)).rc).to.equal(TPM_RC.SUCCESS);
      expect((await start(small, { sessionType: TPM_SE.POLICY })).rc).to.equal(TPM_RC.SUCCESS);
      expect((await start(small)).rc).to.equal(TPM_RC.SESSION_HANDLES);
    });
  });
});
