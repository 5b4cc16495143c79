// The yardstick for the key and data operations: the same misuse of RSA/ECDH, symmetric, HMAC, sequence,
// CreateLoaded, ObjectChangeAuth, Duplicate/Import and GetTime commands sent to the emulator and to swtpm (libtpms)
// must get the same response code.
import { expect } from "chai";
import {
  TPMA_OBJECT as O,
  TPMT_PUBLIC,
  TPM_ALG as A,
  TPM_RH,
  TPM_SU,
  TpmClient,
  akTemplate,
  marshal,
  pw,
  rcName,
  type TPMT_SYM_DEF_OBJECT,
} from "../../../tpm2/index.js";
import { TpmEmulator } from "../../../tpm-emulator/index.js";
import { startSwtpm, type SwtpmInstance } from "../../interop/support/swtpm.js";
import { requireTool } from "../../interop/support/tools.js";
import { rawStream } from "../../interop/support/raw-stream.js";
import { EMPTY, NULL_HASHCHECK, NULL_SCHEME, createPrimary, hmacKeyTemplate, signingKeyTemplate, storageKeyTemplate } from "./key-fixture.js";
import { OAEP_SHA1, OAEP_SHA256, RAW, RSAES, eccDecryptTemplate, rsaDecryptTemplate, type RsaScheme } from "./asymmetric/support.js";
import { AES128_INNER, DUPLICABLE, NO_INNER, duplicableTemplate, duplicate } from "./duplication/support.js";
import { aesTemplate } from "./symmetric/support.js";
import { ecdaa, ecdaaKeyTemplate } from "./ephemeral/support.js";


type Scenario = readonly [string, (c: TpmClient) => Promise<number>];

const owner = (c: TpmClient, t: TPMT_PUBLIC) => createPrimary(c, TPM_RH.OWNER, t).then((k) => k.handle);
const withData = (c: TpmClient, t: TPMT_PUBLIC, data: Buffer) =>
  c
    .run("CreatePrimary", { handles: [TPM_RH.OWNER], auths: [pw()], params: { inSensitive: { userAuth: EMPTY, data }, inPublic: { ...t, objectAttributes: t.objectAttributes & ~O.sensitiveDataOrigin }, outsideInfo: EMPTY, creationPCR: [] } })
    .then((k) => k.handle);
const rsaDecrypt = async (c: TpmClient, h: number, cipherText: Buffer, inScheme: RsaScheme, label: Buffer = EMPTY) =>
  (await c.call("RSA_Decrypt", { handles: [h], auths: [pw()], params: { cipherText, inScheme, label } })).rc;
const rsaEncrypt = async (c: TpmClient, h: number, message: Buffer, inScheme: RsaScheme, label: Buffer = EMPTY) =>
  (await c.call("RSA_Encrypt", { handles: [h], params: { message, inScheme, label } })).rc;
const zGen = async (c: TpmClient, h: number, x: Buffer, y: Buffer) => (await c.call("ECDH_ZGen", { handles: [h], auths: [pw()], params: { inPoint: { x, y } } })).rc;
const encrypt2 = async (c: TpmClient, h: number, inData: Buffer, decrypt: boolean, mode: number, ivIn: Buffer) =>
  (await c.call("EncryptDecrypt2", { handles: [h], auths: [pw()], params: { inData, decrypt, mode, ivIn } })).rc;
const hmac = async (c: TpmClient, h: number, hashAlg: number) => (await c.call("HMAC", { handles: [h], auths: [pw()], params: { buffer: Buffer.from("data"), hashAlg } })).rc;
const seqStart = (c: TpmClient, hashAlg: number, auth = "") => c.run("HashSequenceStart", { params: { auth: Buffer.from(auth), hashAlg } }).then((o) => o.handle);
const createLoaded = async (c: TpmClient, parent: number, t: Uint8Array, userAuth: Buffer = EMPTY) =>
  (await c.call("CreateLoaded", { handles: [parent], auths: [pw()], params: { inSensitive: { userAuth, data: EMPTY }, inPublic: t } })).rc;
const childOf = async (c: TpmClient, parent: number, t: TPMT_PUBLIC) => {
  const created = await c.run("Create", { handles: [parent], auths: [pw()], params: { inSensitive: { userAuth: EMPTY, data: EMPTY }, inPublic: t, outsideInfo: EMPTY, creationPCR: [] } });
  const loaded = await c.run("Load", { handles: [parent], auths: [pw()], params: { inPrivate: created.outPrivate, inPublic: created.outPublic } });
  return { handle: loaded.handle, outPublic: created.outPublic };
};
const importRc = async (c: TpmClient, parent: number, objectPublic: TPMT_PUBLIC, dup: Buffer, inSymSeed: Buffer, symmetricAlg: TPMT_SYM_DEF_OBJECT = NO_INNER, encryptionKey: Buffer = EMPTY) =>
  (await c.call("Import", { handles: [parent], auths: [pw()], params: { encryptionKey, objectPublic, duplicate: dup, inSymSeed, symmetricAlg } })).rc;
const NO_POINT = { x: EMPTY, y: EMPTY };
const OFF_CURVE = { x: Buffer.alloc(32, 1), y: Buffer.alloc(32, 2) };
const commitRc = async (c: TpmClient, h: number, P1 = NO_POINT, s2 = EMPTY, y2 = EMPTY) => (await c.call("Commit", { handles: [h], auths: [pw()], params: { P1, s2, y2 } })).rc;
const signWith = async (c: TpmClient, h: number, inScheme: ReturnType<typeof ecdaa> | typeof NULL_SCHEME) =>
  (await c.call("Sign", { handles: [h], auths: [pw()], params: { digest: Buffer.alloc(32, 7), inScheme, validation: NULL_HASHCHECK } })).rc;
const zGen2 = async (c: TpmClient, h: number, inQsB: { x: Buffer; y: Buffer }, counter: number) =>
  (await c.call("ZGen_2Phase", { handles: [h], auths: [pw()], params: { inQsB, inQeB: inQsB, inScheme: A.ECDH, counter } })).rc;
/** A point of P-256 (the public point of a fresh ECDH key pair on the TPM itself). */
const somePoint = async (c: TpmClient) => (await c.run("EC_Ephemeral", { params: { curveID: 0x0003 } })).Q as { x: Buffer; y: Buffer };
const getTime = async (c: TpmClient, privacy: number, signer: number) =>
  (await c.call("GetTime", { handles: [privacy, signer], auths: [pw(), pw()], params: { qualifyingData: EMPTY, inScheme: NULL_SCHEME } })).rc;

const SIGN_ECC = eccDecryptTemplate(NULL_SCHEME, O.fixedTPM | O.fixedParent | O.sensitiveDataOrigin | O.userWithAuth | O.noDA | O.sign);
const AES_ATTRS = O.fixedTPM | O.fixedParent | O.userWithAuth | O.noDA | O.sign | O.decrypt;
const KEY16 = Buffer.alloc(16, 0x42);
const IV = Buffer.alloc(16, 1);

const SCENARIOS: readonly Scenario[] = [
  ["RSA_Decrypt: restricted key", async (c) => rsaDecrypt(c, await owner(c, storageKeyTemplate("rsa")), Buffer.alloc(256, 1), RAW)],
  ["RSA_Decrypt: ECC key", async (c) => rsaDecrypt(c, await owner(c, signingKeyTemplate("ecc")), Buffer.alloc(256, 1), RAW)],
  ["RSA_Decrypt: unterminated label", async (c) => rsaDecrypt(c, await owner(c, rsaDecryptTemplate()), Buffer.alloc(256, 1), OAEP_SHA256, Buffer.from("x"))],
  ["RSA_Decrypt: scheme other than the key's", async (c) => rsaDecrypt(c, await owner(c, rsaDecryptTemplate(OAEP_SHA1)), Buffer.alloc(256, 1), OAEP_SHA256)],
  ["RSA_Decrypt: ciphertext one byte short", async (c) => rsaDecrypt(c, await owner(c, rsaDecryptTemplate()), Buffer.alloc(255, 1), RAW)],
  ["RSA_Decrypt: OAEP that does not decode", async (c) => rsaDecrypt(c, await owner(c, rsaDecryptTemplate()), Buffer.alloc(256, 1), OAEP_SHA256)],
  ["RSA_Decrypt: RSAES that does not decode", async (c) => rsaDecrypt(c, await owner(c, rsaDecryptTemplate()), Buffer.alloc(256, 1), RSAES)],
  ["RSA_Decrypt: raw value above the modulus", async (c) => rsaDecrypt(c, await owner(c, rsaDecryptTemplate()), Buffer.alloc(256, 0xff), RAW)],
  ["RSA_Encrypt: message too long for OAEP", async (c) => rsaEncrypt(c, await owner(c, rsaDecryptTemplate()), Buffer.alloc(200, 1), OAEP_SHA256)],
  ["RSA_Encrypt: message too long for RSAES", async (c) => rsaEncrypt(c, await owner(c, rsaDecryptTemplate()), Buffer.alloc(250, 1), RSAES)],
  ["RSA_Encrypt: raw value above the modulus", async (c) => rsaEncrypt(c, await owner(c, rsaDecryptTemplate()), Buffer.alloc(256, 0xff), RAW)],
  ["RSA_Encrypt: signing key", async (c) => rsaEncrypt(c, await owner(c, signingKeyTemplate("rsa")), Buffer.from("m"), OAEP_SHA256)],
  ["RSA_Encrypt: unterminated label", async (c) => rsaEncrypt(c, await owner(c, rsaDecryptTemplate()), Buffer.from("m"), OAEP_SHA256, Buffer.from("x"))],
  ["ECDH_ZGen: point not on the curve", async (c) => zGen(c, await owner(c, eccDecryptTemplate()), Buffer.alloc(32, 1), Buffer.alloc(32, 2))],
  ["ECDH_ZGen: restricted key", async (c) => zGen(c, await owner(c, storageKeyTemplate("ecc")), Buffer.alloc(32, 1), Buffer.alloc(32, 2))],
  ["ECDH_ZGen: signing key", async (c) => zGen(c, await owner(c, SIGN_ECC), Buffer.alloc(32, 1), Buffer.alloc(32, 2))],
  ["ECDH_ZGen: RSA key", async (c) => zGen(c, await owner(c, rsaDecryptTemplate()), Buffer.alloc(32, 1), Buffer.alloc(32, 2))],
  ["ECDH_KeyGen: RSA key", async (c) => (await c.call("ECDH_KeyGen", { handles: [await owner(c, rsaDecryptTemplate())], params: {} })).rc],
  ["EncryptDecrypt2: mode other than the key's", async (c) => encrypt2(c, await withData(c, aesTemplate(128, A.CFB, AES_ATTRS), KEY16), KEY16, false, A.CBC, IV)],
  ["EncryptDecrypt2: no mode", async (c) => encrypt2(c, await withData(c, aesTemplate(128, A.NULL, AES_ATTRS), KEY16), KEY16, false, A.NULL, IV)],
  ["EncryptDecrypt2: short IV", async (c) => encrypt2(c, await withData(c, aesTemplate(128, A.CFB, AES_ATTRS), KEY16), KEY16, false, A.NULL, IV.subarray(4))],
  ["EncryptDecrypt2: CBC partial block", async (c) => encrypt2(c, await withData(c, aesTemplate(128, A.CBC, AES_ATTRS), KEY16), KEY16.subarray(1), false, A.NULL, IV)],
  ["EncryptDecrypt2: IV with ECB", async (c) => encrypt2(c, await withData(c, aesTemplate(128, A.ECB, AES_ATTRS), KEY16), KEY16, false, A.NULL, IV)],
  ["EncryptDecrypt2: encrypt without sign", async (c) => encrypt2(c, await withData(c, aesTemplate(128, A.CFB, AES_ATTRS & ~O.sign), KEY16), KEY16, false, A.NULL, IV)],
  ["EncryptDecrypt2: HMAC key", async (c) => encrypt2(c, await owner(c, hmacKeyTemplate()), KEY16, false, A.CFB, IV)],
  ["EncryptDecrypt: mode other than the key's", async (c) => (await c.call("EncryptDecrypt", { handles: [await withData(c, aesTemplate(128, A.CFB, AES_ATTRS), KEY16)], auths: [pw()], params: { decrypt: false, mode: A.OFB, ivIn: IV, inData: KEY16 } })).rc],
  ["HMAC: other hash than the key's", async (c) => hmac(c, await owner(c, hmacKeyTemplate()), A.SHA1)],
  ["HMAC: ECC key", async (c) => hmac(c, await owner(c, signingKeyTemplate("ecc")), A.SHA256)],
  ["HMAC: restricted key", async (c) => hmac(c, await owner(c, { ...hmacKeyTemplate(), objectAttributes: hmacKeyTemplate().objectAttributes | O.restricted }), A.SHA256)],
  ["HMAC_Start: other hash than the key's", async (c) => (await c.call("HMAC_Start", { handles: [await owner(c, hmacKeyTemplate())], auths: [pw()], params: { auth: EMPTY, hashAlg: A.SHA384 } })).rc],
  ["SequenceUpdate: ordinary object", async (c) => (await c.call("SequenceUpdate", { handles: [await owner(c, hmacKeyTemplate())], auths: [pw()], params: { buffer: EMPTY } })).rc],
  ["SequenceUpdate: wrong sequence auth", async (c) => (await c.call("SequenceUpdate", { handles: [await seqStart(c, A.SHA256, "secret")], auths: [pw("wrong")], params: { buffer: EMPTY } })).rc],
  ["SequenceComplete: event sequence", async (c) => (await c.call("SequenceComplete", { handles: [await seqStart(c, A.NULL)], auths: [pw()], params: { buffer: EMPTY, hierarchy: TPM_RH.OWNER } })).rc],
  ["SequenceComplete: lockout as hierarchy", async (c) => (await c.call("SequenceComplete", { handles: [await seqStart(c, A.SHA256)], auths: [pw()], params: { buffer: EMPTY, hierarchy: TPM_RH.LOCKOUT } })).rc],
  ["EventSequenceComplete: hash sequence", async (c) => (await c.call("EventSequenceComplete", { handles: [16, await seqStart(c, A.SHA256)], auths: [pw(), pw()], params: { buffer: EMPTY } })).rc],
  ["EventSequenceComplete: PCR 17 from locality 0", async (c) => (await c.call("EventSequenceComplete", { handles: [17, await seqStart(c, A.NULL)], auths: [pw(), pw()], params: { buffer: EMPTY } })).rc],
  ["CreateLoaded: signing key as parent", async (c) => createLoaded(c, await owner(c, signingKeyTemplate("ecc")), marshal(TPMT_PUBLIC, signingKeyTemplate("ecc")))],
  ["CreateLoaded: lockout as parent", async (c) => createLoaded(c, TPM_RH.LOCKOUT, marshal(TPMT_PUBLIC, signingKeyTemplate("ecc")))],
  ["CreateLoaded: truncated template", async (c) => createLoaded(c, TPM_RH.OWNER, marshal(TPMT_PUBLIC, signingKeyTemplate("ecc")).subarray(0, 12))],
  ["CreateLoaded: template with a trailing byte", async (c) => createLoaded(c, TPM_RH.OWNER, Buffer.concat([marshal(TPMT_PUBLIC, signingKeyTemplate("ecc")), Buffer.of(0)]))],
  ["CreateLoaded: neither sign nor decrypt", async (c) => createLoaded(c, TPM_RH.OWNER, marshal(TPMT_PUBLIC, { ...signingKeyTemplate("ecc"), objectAttributes: signingKeyTemplate("ecc").objectAttributes & ~O.sign }))],
  ["CreateLoaded: userAuth too long", async (c) => createLoaded(c, TPM_RH.OWNER, marshal(TPMT_PUBLIC, signingKeyTemplate("ecc")), Buffer.alloc(33, 1))],
  [
    "ObjectChangeAuth: not the parent",
    async (c) => {
      const srk = await owner(c, storageKeyTemplate("ecc"));
      const key = await childOf(c, srk, signingKeyTemplate("ecc"));
      const other = await owner(c, { ...storageKeyTemplate("ecc"), unique: { x: Buffer.alloc(32, 1), y: Buffer.alloc(32, 1) } });
      return (await c.call("ObjectChangeAuth", { handles: [key.handle, other], auths: [pw()], params: { newAuth: Buffer.from("x") } })).rc;
    },
  ],
  [
    "ObjectChangeAuth: newAuth too long",
    async (c) => {
      const srk = await owner(c, storageKeyTemplate("ecc"));
      const key = await childOf(c, srk, signingKeyTemplate("ecc"));
      return (await c.call("ObjectChangeAuth", { handles: [key.handle, srk], auths: [pw()], params: { newAuth: Buffer.alloc(33, 1) } })).rc;
    },
  ],
  ["Duplicate: fixedParent key", async (c) => { const srk = await owner(c, storageKeyTemplate("ecc")); const k = await childOf(c, srk, duplicableTemplate(DUPLICABLE | O.fixedParent | O.fixedTPM)); return (await duplicate(c, k.handle, TPM_RH.NULL)).rc; }],
  ["Duplicate: signing key as new parent", async (c) => { const srk = await owner(c, storageKeyTemplate("ecc")); const k = await childOf(c, srk, duplicableTemplate()); return (await duplicate(c, k.handle, k.handle)).rc; }],
  ["Duplicate: encryptedDuplication without inner wrap", async (c) => { const srk = await owner(c, storageKeyTemplate("ecc")); const k = await childOf(c, srk, duplicableTemplate(DUPLICABLE | O.encryptedDuplication)); return (await duplicate(c, k.handle, srk)).rc; }],
  ["Duplicate: encryptedDuplication to TPM_RH_NULL", async (c) => { const srk = await owner(c, storageKeyTemplate("ecc")); const k = await childOf(c, srk, duplicableTemplate(DUPLICABLE | O.encryptedDuplication)); return (await duplicate(c, k.handle, TPM_RH.NULL, AES128_INNER)).rc; }],
  ["Duplicate: inner key of the wrong size", async (c) => { const srk = await owner(c, storageKeyTemplate("ecc")); const k = await childOf(c, srk, duplicableTemplate()); return (await duplicate(c, k.handle, srk, AES128_INNER, Buffer.alloc(15))).rc; }],
  [
    "Import: tampered duplicate",
    async (c) => {
      const srk = await owner(c, storageKeyTemplate("ecc"));
      const k = await childOf(c, srk, duplicableTemplate());
      const out = (await duplicate(c, k.handle, srk)).response!;
      const dup = Buffer.from(out.duplicate);
      dup[dup.length - 1] = dup[dup.length - 1]! ^ 1;
      return importRc(c, srk, k.outPublic, dup, Buffer.from(out.outSymSeed));
    },
  ],
  [
    "Import: fixedParent in the public area",
    async (c) => {
      const srk = await owner(c, storageKeyTemplate("ecc"));
      const k = await childOf(c, srk, duplicableTemplate());
      const out = (await duplicate(c, k.handle, srk)).response!;
      return importRc(c, srk, { ...k.outPublic, objectAttributes: k.outPublic.objectAttributes | O.fixedParent }, Buffer.from(out.duplicate), Buffer.from(out.outSymSeed));
    },
  ],
  [
    "Import: public area other than the duplicated one",
    async (c) => {
      const srk = await owner(c, storageKeyTemplate("ecc"));
      const k = await childOf(c, srk, duplicableTemplate());
      const out = (await duplicate(c, k.handle, srk)).response!;
      return importRc(c, srk, { ...k.outPublic, objectAttributes: k.outPublic.objectAttributes ^ O.noDA }, Buffer.from(out.duplicate), Buffer.from(out.outSymSeed));
    },
  ],
  ["Import: signing key as parent", async (c) => { const k = await owner(c, signingKeyTemplate("ecc")); return importRc(c, k, duplicableTemplate(), Buffer.alloc(40, 1), EMPTY); }],
  ["Commit: RSA key", async (c) => commitRc(c, await owner(c, signingKeyTemplate("rsa")))],
  ["Commit: ECDSA key", async (c) => commitRc(c, await owner(c, signingKeyTemplate("ecc", { scheme: A.ECDSA, details: { hashAlg: A.SHA256 } })))],
  ["Commit: s2 without y2", async (c) => commitRc(c, await owner(c, ecdaaKeyTemplate()), NO_POINT, Buffer.from("basename"))],
  ["Commit: P1 not on the curve", async (c) => commitRc(c, await owner(c, ecdaaKeyTemplate()), OFF_CURVE)],
  ["Sign: ECDAA counter never committed", async (c) => signWith(c, await owner(c, ecdaaKeyTemplate()), ecdaa(100))],
  ["Sign: ECDAA key with the NULL scheme", async (c) => signWith(c, await owner(c, ecdaaKeyTemplate()), NULL_SCHEME)],
  ["Sign: ECDAA with another hash than the key's", async (c) => signWith(c, await owner(c, ecdaaKeyTemplate()), ecdaa(0, A.SHA384))],
  [
    "Sign: ECDAA commitment used twice",
    async (c) => {
      const key = await owner(c, ecdaaKeyTemplate());
      const { counter } = await c.run("Commit", { handles: [key], auths: [pw()], params: { P1: NO_POINT, s2: EMPTY, y2: EMPTY } });
      const first = await signWith(c, key, ecdaa(counter));
      return first === 0 ? signWith(c, key, ecdaa(counter)) : -first;
    },
  ],
  ["ZGen_2Phase: counter never committed", async (c) => zGen2(c, await owner(c, eccDecryptTemplate()), await somePoint(c), 101)],
  ["ZGen_2Phase: signing key", async (c) => zGen2(c, await owner(c, SIGN_ECC), await somePoint(c), 0)],
  ["ZGen_2Phase: point not on the curve", async (c) => zGen2(c, await owner(c, eccDecryptTemplate()), OFF_CURVE, 0)],
  ["EC_Ephemeral: unknown curve", async (c) => (await c.call("EC_Ephemeral", { params: { curveID: 0x0099 } })).rc],
  ["PP_Commands: without physical presence", async (c) => (await c.call("PP_Commands", { handles: [TPM_RH.PLATFORM], auths: [pw()], params: { setList: [0x126], clearList: [] } })).rc],
  ["GetTime: owner as privacy administrator", async (c) => getTime(c, TPM_RH.OWNER, TPM_RH.NULL)],
  ["GetTime: decryption key as signer", async (c) => getTime(c, TPM_RH.ENDORSEMENT, await owner(c, storageKeyTemplate("ecc")))],
  ["GetTime: scheme both NULL", async (c) => getTime(c, TPM_RH.ENDORSEMENT, await owner(c, signingKeyTemplate("ecc")))],
  ["GetTime: AK", async (c) => getTime(c, TPM_RH.ENDORSEMENT, await owner(c, akTemplate("ecc")))],
];

describe("key and data operations: response codes as swtpm (libtpms), and blobs that cross between the two", function () {
  this.timeout(60_000);
  let swtpm: SwtpmInstance | undefined;
  let reference: TpmClient;

  before(async function () {
    requireTool(this, ["swtpm"]);
    swtpm = await startSwtpm();
    reference = new TpmClient(rawStream(swtpm.port));
  });
  after(async () => swtpm?.stop());

  /** swtpm has 3 object slots and no resource manager: flush what a scenario left behind. */
  afterEach(async () => {
    if (!swtpm) return;
    for (const base of [0x80000000, 0x02000000, 0x03000000]) {
      for (let i = 0; i < 4; i++) await reference.call("FlushContext", { params: { flushHandle: base + i } });
    }
  });

  /** A child of `parent` that may be duplicated, on `c`. */
  const duplicable = (c: TpmClient, parent: number) => childOf(c, parent, duplicableTemplate());

  for (const kind of ["ecc", "rsa"] as const) {
    it(`a duplicate made by one TPM for a ${kind} parent of the other imports there, both ways, and the key signs`, async () => {
      const emulator = TpmEmulator.create({ seed: Buffer.alloc(32, 0x5a) });
      const ours = new TpmClient((c) => emulator.execute(c));
      await ours.run("Startup", { params: { startupType: TPM_SU.CLEAR } });
      for (const [from, to] of [
        [ours, reference],
        [reference, ours],
      ] as const) {
        const target = await createPrimary(to, TPM_RH.OWNER, storageKeyTemplate(kind));
        const external = await from.run("LoadExternal", { params: { inPrivate: undefined, inPublic: target.outPublic, hierarchy: TPM_RH.OWNER } });
        const srk = await owner(from, storageKeyTemplate("ecc"));
        const key = await duplicable(from, srk);
        const dup = (await duplicate(from, key.handle, external.handle, AES128_INNER)).response!;
        for (const h of [external.handle, srk, key.handle]) await from.flush(h);
        const imported = await to.run("Import", {
          handles: [target.handle],
          auths: [pw()],
          params: { encryptionKey: dup.encryptionKeyOut, objectPublic: key.outPublic, duplicate: dup.duplicate, inSymSeed: dup.outSymSeed, symmetricAlg: AES128_INNER },
        });
        const loaded = await to.run("Load", { handles: [target.handle], auths: [pw()], params: { inPrivate: imported.outPrivate, inPublic: key.outPublic } });
        const digest = Buffer.alloc(32, 9);
        const sig = await to.run("Sign", { handles: [loaded.handle], auths: [pw()], params: { digest, inScheme: NULL_SCHEME, validation: NULL_HASHCHECK } });
        expect(sig.signature.sigAlg).to.equal(A.ECDSA);
        await to.flush(loaded.handle);
        await to.flush(target.handle);
      }
    });
  }

  it("what the emulator encrypts (RSA-OAEP) or agrees (ECDH_KeyGen) to a swtpm key, swtpm decrypts or agrees to the same", async () => {
    const emulator = TpmEmulator.create({ seed: Buffer.alloc(32, 0x5a) });
    const ours = new TpmClient((c) => emulator.execute(c));
    await ours.run("Startup", { params: { startupType: TPM_SU.CLEAR } });
    const load = (pub: TPMT_PUBLIC) => ours.run("LoadExternal", { params: { inPrivate: undefined, inPublic: pub, hierarchy: TPM_RH.OWNER } }).then((o) => o.handle);
    const label = Buffer.from("label\0");
    const message = Buffer.from("from the emulator to swtpm");

    const rsa = await createPrimary(reference, TPM_RH.OWNER, rsaDecryptTemplate());
    const encrypted = await ours.run("RSA_Encrypt", { handles: [await load(rsa.outPublic)], params: { message, inScheme: OAEP_SHA256, label } });
    const decrypted = await reference.run("RSA_Decrypt", { handles: [rsa.handle], auths: [pw()], params: { cipherText: encrypted.outData, inScheme: OAEP_SHA256, label } });
    expect(Buffer.from(decrypted.message).equals(message)).to.equal(true);
    await reference.flush(rsa.handle);

    const ecc = await createPrimary(reference, TPM_RH.OWNER, eccDecryptTemplate());
    const generated = await ours.run("ECDH_KeyGen", { handles: [await load(ecc.outPublic)], params: {} });
    const z = await reference.run("ECDH_ZGen", { handles: [ecc.handle], auths: [pw()], params: { inPoint: generated.pubPoint } });
    expect(Buffer.from(z.outPoint.x).equals(Buffer.from(generated.zPoint.x))).to.equal(true);
    expect(Buffer.from(z.outPoint.y).equals(Buffer.from(generated.zPoint.y))).to.equal(true);
    await reference.flush(ecc.handle);
  });

  for (const [name, run] of SCENARIOS) {
    it(name, async () => {
      const emulator = TpmEmulator.create({ seed: Buffer.alloc(32, 0x5a) });
      const client = new TpmClient((c) => emulator.execute(c));
      await client.run("Startup", { params: { startupType: TPM_SU.CLEAR } });
      const ours = await run(client);
      const theirs = await run(reference);
      expect(rcName(ours)).to.equal(rcName(theirs));
    });
  }
});
