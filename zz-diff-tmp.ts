import { connect } from "node:net";
import { createHash } from "node:crypto";
import { TPM_ALG, TPM_RH, TPM_SU, TpmClient, akTemplate, ekTemplateEcc, ekTemplateRsa, pw, withSession, makeCredential, rcName, type TPMT_SIG_SCHEME } from "./tpm2/index.js";
import { TpmEmulator } from "./tpm-emulator/index.js";
import { startSwtpm } from "./test/interop/support/swtpm.js";
import { EMPTY, NULL_HASHCHECK, NULL_SCHEME, createPrimary, ekPolicySession, hmacKeyTemplate, scheme, signingKeyTemplate, storageKeyTemplate } from "./test/tpm-emulator/commands/key-fixture.js";

function tcpTransport(port: number) {
  return (cmd: Uint8Array) => new Promise<Uint8Array>((resolve, reject) => {
    const s = connect({ host: "127.0.0.1", port });
    let buf = Buffer.alloc(0);
    s.on("data", (d) => { buf = Buffer.concat([buf, d]); if (buf.length >= 6 && buf.length >= buf.readUInt32BE(2)) { s.destroy(); resolve(buf); } });
    s.on("error", reject);
    s.write(cmd);
  });
}
function retrying(t: (c: Uint8Array) => Promise<Uint8Array>) {
  return async (c: Uint8Array) => { for (let i = 0; ; i++) { const r = Buffer.from(await t(c)); if (r.readUInt32BE(6) !== 0x922 || i > 4) return r; } };
}
const d = createHash("sha256").update("m").digest();
type Sc = [string, (c: TpmClient) => Promise<number>];
const sign = (c: TpmClient, h: number, digest: Uint8Array, inScheme: TPMT_SIG_SCHEME = NULL_SCHEME, validation = NULL_HASHCHECK) => c.call("Sign", { handles: [h], auths: [pw()], params: { digest, inScheme, validation } }).then((r) => r.rc);
const sel = [{ hash: TPM_ALG.SHA256, pcrSelect: Buffer.from([3, 0, 0]) }];
const quote = (c: TpmClient, h: number, inScheme: TPMT_SIG_SCHEME = NULL_SCHEME) => c.call("Quote", { handles: [h], auths: [pw()], params: { qualifyingData: EMPTY, inScheme, PCRselect: sel } }).then((r) => r.rc);
const scen: Sc[] = [
  ["sign restricted null ticket", async (c) => sign(c, (await createPrimary(c, TPM_RH.OWNER, akTemplate("ecc"))).handle, d)],
  ["sign ticket bad hierarchy", async (c) => sign(c, (await createPrimary(c, TPM_RH.OWNER, akTemplate("ecc"))).handle, d, NULL_SCHEME, { ...NULL_HASHCHECK, hierarchy: TPM_RH.LOCKOUT })],
  ["sign wrong size", async (c) => sign(c, (await createPrimary(c, TPM_RH.OWNER, signingKeyTemplate("ecc"))).handle, d.subarray(1), scheme(TPM_ALG.ECDSA))],
  ["sign no scheme", async (c) => sign(c, (await createPrimary(c, TPM_RH.OWNER, signingKeyTemplate("ecc"))).handle, d)],
  ["sign other scheme", async (c) => sign(c, (await createPrimary(c, TPM_RH.OWNER, akTemplate("ecc"))).handle, d, scheme(TPM_ALG.ECDSA, TPM_ALG.SHA1))],
  ["sign rsa key ecdsa scheme", async (c) => sign(c, (await createPrimary(c, TPM_RH.OWNER, signingKeyTemplate("rsa"))).handle, d, scheme(TPM_ALG.ECDSA))],
  ["sign rsassa sha1 with 32-byte digest", async (c) => sign(c, (await createPrimary(c, TPM_RH.OWNER, signingKeyTemplate("rsa", scheme(TPM_ALG.RSASSA, TPM_ALG.SHA1)))).handle, d)],
  ["sign decrypt key", async (c) => sign(c, (await createPrimary(c, TPM_RH.OWNER, storageKeyTemplate("ecc"))).handle, d, scheme(TPM_ALG.ECDSA))],
  ["sign owner handle", async (c) => sign(c, TPM_RH.OWNER, d, scheme(TPM_ALG.ECDSA))],
  ["quote decrypt key", async (c) => quote(c, (await createPrimary(c, TPM_RH.OWNER, storageKeyTemplate("ecc"))).handle)],
  ["quote null", async (c) => quote(c, TPM_RH.NULL, scheme(TPM_ALG.ECDSA))],
  ["quote null no scheme", async (c) => quote(c, TPM_RH.NULL)],
  ["quote owner", async (c) => quote(c, TPM_RH.OWNER)],
  ["quote no scheme", async (c) => quote(c, (await createPrimary(c, TPM_RH.OWNER, signingKeyTemplate("ecc"))).handle)],
  ["quote hmac key", async (c) => quote(c, (await createPrimary(c, TPM_RH.OWNER, hmacKeyTemplate())).handle)],
  ["quote sha384 bank", async (c) => { const ak = await createPrimary(c, TPM_RH.OWNER, akTemplate("ecc")); return (await c.call("Quote", { handles: [ak.handle], auths: [pw()], params: { qualifyingData: EMPTY, inScheme: NULL_SCHEME, PCRselect: [{ hash: TPM_ALG.SHA384, pcrSelect: Buffer.from([0xff, 0xff, 0xff]) }] } })).rc; }],
  ["verify null sig", async (c) => (await c.call("VerifySignature", { handles: [(await createPrimary(c, TPM_RH.OWNER, signingKeyTemplate("ecc"))).handle], params: { digest: d, signature: { sigAlg: TPM_ALG.NULL, signature: undefined } } })).rc],
  ["verify bad ecdsa", async (c) => (await c.call("VerifySignature", { handles: [(await createPrimary(c, TPM_RH.OWNER, signingKeyTemplate("ecc"))).handle], params: { digest: d, signature: { sigAlg: TPM_ALG.ECDSA, signature: { hash: TPM_ALG.SHA256, signatureR: Buffer.alloc(32, 1), signatureS: Buffer.alloc(32, 1) } } } })).rc],
  ["verify zero r", async (c) => (await c.call("VerifySignature", { handles: [(await createPrimary(c, TPM_RH.OWNER, signingKeyTemplate("ecc"))).handle], params: { digest: d, signature: { sigAlg: TPM_ALG.ECDSA, signature: { hash: TPM_ALG.SHA256, signatureR: Buffer.alloc(32), signatureS: Buffer.alloc(32, 1) } } } })).rc],
  ["verify rsa sig on ecc", async (c) => (await c.call("VerifySignature", { handles: [(await createPrimary(c, TPM_RH.OWNER, signingKeyTemplate("ecc"))).handle], params: { digest: d, signature: { sigAlg: TPM_ALG.RSASSA, signature: { hash: TPM_ALG.SHA256, sig: Buffer.alloc(256, 1) } } } })).rc],
  ["verify short rsa", async (c) => (await c.call("VerifySignature", { handles: [(await createPrimary(c, TPM_RH.OWNER, signingKeyTemplate("rsa"))).handle], params: { digest: d, signature: { sigAlg: TPM_ALG.RSASSA, signature: { hash: TPM_ALG.SHA256, sig: Buffer.alloc(255, 1) } } } })).rc],
  ["verify decrypt key", async (c) => (await c.call("VerifySignature", { handles: [(await createPrimary(c, TPM_RH.OWNER, storageKeyTemplate("ecc"))).handle], params: { digest: d, signature: { sigAlg: TPM_ALG.ECDSA, signature: { hash: TPM_ALG.SHA256, signatureR: Buffer.alloc(32, 1), signatureS: Buffer.alloc(32, 1) } } } })).rc],
  ["verify owner handle", async (c) => (await c.call("VerifySignature", { handles: [TPM_RH.OWNER], params: { digest: d, signature: { sigAlg: TPM_ALG.ECDSA, signature: { hash: TPM_ALG.SHA256, signatureR: Buffer.alloc(32, 1), signatureS: Buffer.alloc(32, 1) } } } })).rc],
  ["verify hmac other hash", async (c) => (await c.call("VerifySignature", { handles: [(await createPrimary(c, TPM_RH.OWNER, hmacKeyTemplate())).handle], params: { digest: d, signature: { sigAlg: TPM_ALG.HMAC, signature: { hashAlg: TPM_ALG.SHA1, digest: Buffer.alloc(20) } } } })).rc],
  ["hash lockout", async (c) => (await c.call("Hash", { params: { data: d, hashAlg: TPM_ALG.SHA256, hierarchy: TPM_RH.LOCKOUT } })).rc],
  ["hash null alg", async (c) => (await c.call("Hash", { params: { data: d, hashAlg: TPM_ALG.NULL, hierarchy: TPM_RH.OWNER } })).rc],
  ["certify decrypt signer", async (c) => { const k = await createPrimary(c, TPM_RH.OWNER, storageKeyTemplate("ecc")); return (await c.call("Certify", { handles: [k.handle, k.handle], auths: [pw(), withSession(await c.startSession(), { attributes: 0 })], params: { qualifyingData: EMPTY, inScheme: NULL_SCHEME } })).rc; }],
  ["certify owner object", async (c) => { const k = await createPrimary(c, TPM_RH.OWNER, akTemplate("ecc")); return (await c.call("Certify", { handles: [TPM_RH.OWNER, k.handle], auths: [pw(), withSession(await c.startSession(), { attributes: 0 })], params: { qualifyingData: EMPTY, inScheme: NULL_SCHEME } })).rc; }],
  ["certify two pw", async (c) => { const k = await createPrimary(c, TPM_RH.OWNER, akTemplate("ecc")); return (await c.call("Certify", { handles: [k.handle, k.handle], auths: [pw(), pw()], params: { qualifyingData: EMPTY, inScheme: NULL_SCHEME } })).rc; }],
  ["certifycreation bad ticket", async (c) => { const k = await createPrimary(c, TPM_RH.OWNER, akTemplate("ecc")); return (await c.call("CertifyCreation", { handles: [k.handle, k.handle], auths: [pw()], params: { qualifyingData: EMPTY, creationHash: d, inScheme: NULL_SCHEME, creationTicket: k.creationTicket } })).rc; }],
  ["certifycreation lockout ticket", async (c) => { const k = await createPrimary(c, TPM_RH.OWNER, akTemplate("ecc")); return (await c.call("CertifyCreation", { handles: [k.handle, k.handle], auths: [pw()], params: { qualifyingData: EMPTY, creationHash: k.creationHash, inScheme: NULL_SCHEME, creationTicket: { ...k.creationTicket, hierarchy: TPM_RH.LOCKOUT } } })).rc; }],
  ["certifycreation ok", async (c) => { const k = await createPrimary(c, TPM_RH.OWNER, akTemplate("ecc")); return (await c.call("CertifyCreation", { handles: [k.handle, k.handle], auths: [pw()], params: { qualifyingData: EMPTY, creationHash: k.creationHash, inScheme: NULL_SCHEME, creationTicket: k.creationTicket } })).rc; }],
  ["makecred ak", async (c) => { const k = await createPrimary(c, TPM_RH.OWNER, akTemplate("ecc")); return (await c.call("MakeCredential", { handles: [k.handle], params: { credential: d, objectName: k.name } })).rc; }],
  ["makecred too long", async (c) => { const k = await createPrimary(c, TPM_RH.ENDORSEMENT, ekTemplateEcc()); return (await c.call("MakeCredential", { handles: [k.handle], params: { credential: Buffer.alloc(33), objectName: k.name } })).rc; }],
  ["makecred owner", async (c) => (await c.call("MakeCredential", { handles: [TPM_RH.OWNER], params: { credential: d, objectName: d } })).rc],
];
for (const kind of ["rsa", "ecc"] as const) {
  const setup = async (c: TpmClient) => { const ek = await createPrimary(c, TPM_RH.ENDORSEMENT, kind === "rsa" ? ekTemplateRsa() : ekTemplateEcc()); const ak = await createPrimary(c, TPM_RH.ENDORSEMENT, akTemplate("ecc")); return { ek, ak }; };
  const act = async (c: TpmClient, ak: number, ek: number, blob: { credentialBlob: Uint8Array; secret: Uint8Array }) => (await c.call("ActivateCredential", { handles: [ak, ek], auths: [pw(), withSession(await ekPolicySession(c), { attributes: 0 })], params: blob })).rc;
  scen.push([`${kind} activate ok`, async (c) => { const { ek, ak } = await setup(c); return act(c, ak.handle, ek.handle, makeCredential({ ekPublic: ek.outPublic, objectName: ak.name, credential: d })); }]);
  scen.push([`${kind} activate wrong name`, async (c) => { const { ek, ak } = await setup(c); return act(c, ak.handle, ek.handle, makeCredential({ ekPublic: ek.outPublic, objectName: ek.name, credential: d })); }]);
  scen.push([`${kind} activate flipped secret`, async (c) => { const { ek, ak } = await setup(c); const b = makeCredential({ ekPublic: ek.outPublic, objectName: ak.name, credential: d }); b.secret[b.secret.length - 1]! ^= 1; return act(c, ak.handle, ek.handle, b); }]);
  scen.push([`${kind} activate short secret`, async (c) => { const { ek, ak } = await setup(c); const b = makeCredential({ ekPublic: ek.outPublic, objectName: ak.name, credential: d }); return act(c, ak.handle, ek.handle, { ...b, secret: b.secret.subarray(0, 40) }); }]);
  scen.push([`${kind} activate short blob`, async (c) => { const { ek, ak } = await setup(c); const b = makeCredential({ ekPublic: ek.outPublic, objectName: ak.name, credential: d }); return act(c, ak.handle, ek.handle, { ...b, credentialBlob: b.credentialBlob.subarray(0, 20) }); }]);
  scen.push([`${kind} activate ak as key`, async (c) => { const { ak } = await setup(c); const b = makeCredential({ ekPublic: ak.outPublic.type === 0 ? ak.outPublic : (await setup(c)).ek.outPublic, objectName: ak.name, credential: d }); return (await c.call("ActivateCredential", { handles: [ak.handle, ak.handle], auths: [pw(), withSession(await c.startSession(), { attributes: 0 })], params: b })).rc; }]);
}
const sw = await startSwtpm();
const swClient = new TpmClient(retrying(tcpTransport(sw.port)));
try {
  for (const [name, f] of scen) {
    const emu = TpmEmulator.create();
    const ec = new TpmClient((c) => emu.execute(c));
    await ec.run("Startup", { params: { startupType: TPM_SU.CLEAR } });
    const a = await f(ec).catch((e: Error) => `ERR ${e.message}`);
    // flush transient objects on swtpm (3 slots)
    const b = await f(swClient).catch((e: Error) => `ERR ${e.message}`);
    for (let h = 0x80000000; h < 0x80000004; h++) await swClient.call("FlushContext", { params: { flushHandle: h } });
    for (let h = 0x02000000; h < 0x02000004; h++) await swClient.call("FlushContext", { params: { flushHandle: h } });
    for (let h = 0x03000000; h < 0x03000004; h++) await swClient.call("FlushContext", { params: { flushHandle: h } });
    const fmt = (x: number | string) => typeof x === "number" ? `0x${x.toString(16)} ${rcName(x)}` : x;
    console.log(`${a === b ? "  same" : "DIFFER"}  ${name.padEnd(34)} emu=${fmt(a)}  swtpm=${fmt(b)}`);
  }
} finally { await sw.stop(); }
