// The yardstick for response codes: the same misuse of Quote, Certify, CertifyCreation, Sign, VerifySignature,
// Hash, MakeCredential and ActivateCredential sent to the emulator and to swtpm (libtpms) must get the same code.
import { expect } from "chai";
import { createHash } from "node:crypto";
import {
  TPMA_OBJECT,
  TPM_ALG,
  TPM_RH,
  TPM_SU,
  TpmClient,
  akTemplate,
  ekTemplateEcc,
  ekTemplateRsa,
  makeCredential,
  pw,
  rcName,
  withSession,
  type TPMT_SIG_SCHEME,
  type TPMT_SIGNATURE,
} from "../../../tpm2/index.js";
import { TpmEmulator } from "../../../tpm-emulator/index.js";
import { startSwtpm, type SwtpmInstance } from "../../interop/support/swtpm.js";
import { requireTool } from "../../interop/support/tools.js";
import { rawStream } from "../../interop/support/raw-stream.js";
import {
  EMPTY,
  NULL_HASHCHECK,
  NULL_SCHEME,
  createPrimary,
  ekPolicySession,
  hmacKeyTemplate,
  scheme,
  signingKeyTemplate,
  storageKeyTemplate,
} from "./key-fixture.js";


const DIGEST = createHash("sha256").update("parity").digest();
const PCRS = [{ hash: TPM_ALG.SHA256, pcrSelect: Buffer.from([0x03, 0, 0]) }];
const ecdsaSig = (r: Buffer, s: Buffer): TPMT_SIGNATURE => ({ sigAlg: TPM_ALG.ECDSA, signature: { hash: TPM_ALG.SHA256, signatureR: r, signatureS: s } });

type Scenario = readonly [string, (c: TpmClient) => Promise<number>];

const sign = async (c: TpmClient, h: number, digest: Uint8Array = DIGEST, inScheme: TPMT_SIG_SCHEME = NULL_SCHEME, validation = NULL_HASHCHECK) =>
  (await c.call("Sign", { handles: [h], auths: [pw()], params: { digest, inScheme, validation } })).rc;
const quote = async (c: TpmClient, h: number, inScheme: TPMT_SIG_SCHEME = NULL_SCHEME) =>
  (await c.call("Quote", { handles: [h], auths: [pw()], params: { qualifyingData: EMPTY, inScheme, PCRselect: PCRS } })).rc;
const verify = async (c: TpmClient, h: number, signature: TPMT_SIGNATURE) =>
  (await c.call("VerifySignature", { handles: [h], params: { digest: DIGEST, signature } })).rc;
const certify = async (c: TpmClient, object: number, signer: number, inScheme: TPMT_SIG_SCHEME = NULL_SCHEME) =>
  (await c.call("Certify", { handles: [object, signer], auths: [pw(), pw()], params: { qualifyingData: EMPTY, inScheme } })).rc;
const owner = (c: TpmClient, template: Parameters<typeof createPrimary>[2]) => createPrimary(c, TPM_RH.OWNER, template).then((k) => k.handle);

const SCENARIOS: readonly Scenario[] = [
  ["Sign: restricted key, NULL ticket", async (c) => sign(c, await owner(c, akTemplate("ecc")))],
  ["Sign: ticket naming no hierarchy", async (c) => sign(c, await owner(c, akTemplate("ecc")), DIGEST, NULL_SCHEME, { ...NULL_HASHCHECK, hierarchy: TPM_RH.LOCKOUT })],
  ["Sign: digest not the scheme hash's size", async (c) => sign(c, await owner(c, signingKeyTemplate("ecc")), DIGEST.subarray(1), scheme(TPM_ALG.ECDSA))],
  ["Sign: no scheme at all", async (c) => sign(c, await owner(c, signingKeyTemplate("ecc")))],
  ["Sign: scheme other than the key's", async (c) => sign(c, await owner(c, akTemplate("ecc")), DIGEST, scheme(TPM_ALG.ECDSA, TPM_ALG.SHA1))],
  ["Sign: ECDSA with an RSA key", async (c) => sign(c, await owner(c, signingKeyTemplate("rsa")), DIGEST, scheme(TPM_ALG.ECDSA))],
  ["Sign: HMAC with an ECC key", async (c) => sign(c, await owner(c, signingKeyTemplate("ecc")), DIGEST, scheme(TPM_ALG.HMAC))],
  ["Sign: decryption key", async (c) => sign(c, await owner(c, storageKeyTemplate("ecc")), DIGEST, scheme(TPM_ALG.ECDSA))],
  ["Sign: hierarchy handle", async (c) => sign(c, TPM_RH.OWNER, DIGEST, scheme(TPM_ALG.ECDSA))],
  [
    "Sign: restricted key, ticket for a digest of another hash",
    async (c) => {
      const t = signingKeyTemplate("rsa", scheme(TPM_ALG.RSASSA, TPM_ALG.SHA1));
      t.objectAttributes |= TPMA_OBJECT.restricted;
      const h = await c.run("Hash", { params: { data: DIGEST, hashAlg: TPM_ALG.SHA256, hierarchy: TPM_RH.OWNER } });
      return sign(c, await owner(c, t), h.outHash, NULL_SCHEME, h.validation);
    },
  ],
  ["Quote: decryption key", async (c) => quote(c, await owner(c, storageKeyTemplate("ecc")))],
  ["Quote: TPM_RH_NULL", async (c) => quote(c, TPM_RH.NULL, scheme(TPM_ALG.ECDSA))],
  ["Quote: hierarchy handle", async (c) => quote(c, TPM_RH.OWNER)],
  ["Quote: no scheme at all", async (c) => quote(c, await owner(c, signingKeyTemplate("ecc")))],
  ["Quote: ECDSA with an RSA key", async (c) => quote(c, await owner(c, signingKeyTemplate("rsa")), scheme(TPM_ALG.ECDSA))],
  ["Quote: HMAC key", async (c) => quote(c, await owner(c, hmacKeyTemplate()))],
  ["VerifySignature: NULL signature", async (c) => verify(c, await owner(c, signingKeyTemplate("ecc")), { sigAlg: TPM_ALG.NULL, signature: undefined })],
  ["VerifySignature: wrong ECDSA signature", async (c) => verify(c, await owner(c, signingKeyTemplate("ecc")), ecdsaSig(Buffer.alloc(32, 1), Buffer.alloc(32, 1)))],
  ["VerifySignature: ECDSA r = 0", async (c) => verify(c, await owner(c, signingKeyTemplate("ecc")), ecdsaSig(Buffer.alloc(32), Buffer.alloc(32, 1)))],
  [
    "VerifySignature: RSA signature for an ECC key",
    async (c) => verify(c, await owner(c, signingKeyTemplate("ecc")), { sigAlg: TPM_ALG.RSASSA, signature: { hash: TPM_ALG.SHA256, sig: Buffer.alloc(256, 1) } }),
  ],
  [
    "VerifySignature: RSA signature one byte short",
    async (c) => verify(c, await owner(c, signingKeyTemplate("rsa")), { sigAlg: TPM_ALG.RSASSA, signature: { hash: TPM_ALG.SHA256, sig: Buffer.alloc(255, 1) } }),
  ],
  ["VerifySignature: decryption key", async (c) => verify(c, await owner(c, storageKeyTemplate("ecc")), ecdsaSig(Buffer.alloc(32, 1), Buffer.alloc(32, 1)))],
  [
    "VerifySignature: HMAC with another hash than the key's",
    async (c) => verify(c, await owner(c, hmacKeyTemplate()), { sigAlg: TPM_ALG.HMAC, signature: { hashAlg: TPM_ALG.SHA1, digest: Buffer.alloc(20) } }),
  ],
  ["Hash: lockout as hierarchy", async (c) => (await c.call("Hash", { params: { data: DIGEST, hashAlg: TPM_ALG.SHA256, hierarchy: TPM_RH.LOCKOUT } })).rc],
  ["Certify: decryption key as signer", async (c) => { const k = await owner(c, storageKeyTemplate("ecc")); return certify(c, k, k); }],
  ["Certify: hierarchy handle as object", async (c) => certify(c, TPM_RH.OWNER, await owner(c, akTemplate("ecc")))],
  ["Certify: password for both handles", async (c) => { const k = await owner(c, akTemplate("ecc")); return certify(c, k, k); }],
  ["Certify: RSAPSS with an ECC key", async (c) => { const k = await owner(c, signingKeyTemplate("ecc")); return certify(c, k, k, scheme(TPM_ALG.RSAPSS)); }],
  [
    "CertifyCreation: ticket for another creation hash",
    async (c) => {
      const k = await createPrimary(c, TPM_RH.OWNER, akTemplate("ecc"));
      return (await c.call("CertifyCreation", { handles: [k.handle, k.handle], auths: [pw()], params: { qualifyingData: EMPTY, creationHash: DIGEST, inScheme: NULL_SCHEME, creationTicket: k.creationTicket } })).rc;
    },
  ],
  [
    "CertifyCreation: ticket naming no hierarchy",
    async (c) => {
      const k = await createPrimary(c, TPM_RH.OWNER, akTemplate("ecc"));
      const creationTicket = { ...k.creationTicket, hierarchy: TPM_RH.LOCKOUT };
      return (await c.call("CertifyCreation", { handles: [k.handle, k.handle], auths: [pw()], params: { qualifyingData: EMPTY, creationHash: k.creationHash, inScheme: NULL_SCHEME, creationTicket } })).rc;
    },
  ],
  ["MakeCredential: signing key", async (c) => { const k = await createPrimary(c, TPM_RH.OWNER, akTemplate("ecc")); return (await c.call("MakeCredential", { handles: [k.handle], params: { credential: DIGEST, objectName: k.name } })).rc; }],
  ["MakeCredential: credential too long", async (c) => { const k = await createPrimary(c, TPM_RH.ENDORSEMENT, ekTemplateEcc()); return (await c.call("MakeCredential", { handles: [k.handle], params: { credential: Buffer.alloc(33), objectName: k.name } })).rc; }],
  ["MakeCredential: hierarchy handle", async (c) => (await c.call("MakeCredential", { handles: [TPM_RH.OWNER], params: { credential: DIGEST, objectName: DIGEST } })).rc],
];

/** ActivateCredential misuses, for an RSA and an ECC EK (the credential is made for the AK in software). */
const ACTIVATIONS: readonly (readonly [string, (blob: { credentialBlob: Buffer; secret: Buffer }) => { credentialBlob: Buffer; secret: Buffer }, boolean?])[] = [
  ["correct", (b) => b],
  ["bound to another Name", (b) => b, true],
  ["secret with a flipped byte", (b) => ({ ...b, secret: Buffer.from(b.secret.map((x, i) => (i === b.secret.length - 1 ? x ^ 1 : x))) })],
  ["secret cut short", (b) => ({ ...b, secret: b.secret.subarray(0, 40) })],
  ["empty secret", (b) => ({ ...b, secret: EMPTY })],
  ["blob cut short", (b) => ({ ...b, credentialBlob: b.credentialBlob.subarray(0, 20) })],
  ["blob with a 20-byte integrity", (b) => { const blob = Buffer.from(b.credentialBlob); blob.writeUInt16BE(20, 0); return { ...b, credentialBlob: blob }; }],
];

const ALL: Scenario[] = [...SCENARIOS];
for (const kind of ["rsa", "ecc"] as const) {
  for (const [what, change, otherName] of ACTIVATIONS) {
    ALL.push([
      `ActivateCredential (${kind} EK): ${what}`,
      async (c) => {
        const ek = await createPrimary(c, TPM_RH.ENDORSEMENT, kind === "rsa" ? ekTemplateRsa() : ekTemplateEcc());
        const ak = await createPrimary(c, TPM_RH.ENDORSEMENT, akTemplate("ecc"));
        const blob = change(makeCredential({ ekPublic: ek.outPublic, objectName: otherName ? ek.name : ak.name, credential: DIGEST }));
        const auths = [pw(), withSession(await ekPolicySession(c), { attributes: 0 })];
        return (await c.call("ActivateCredential", { handles: [ak.handle, ek.handle], auths, params: blob })).rc;
      },
    ]);
  }
}

describe("response codes match swtpm (libtpms) for attestation, signing, hash and credential misuse", function () {
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

  for (const [name, run] of ALL) {
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
