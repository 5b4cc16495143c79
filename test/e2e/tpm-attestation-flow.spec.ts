import { expect } from "chai";
import { execFileSync } from "node:child_process";
import { createVerify } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { loadVendorPki, parseEkCertificate, verifyEkChain, x509 } from "../../certs/index.js";
import {
  EK_CERT_NV_INDEX,
  TPM_ALG,
  TPM_RC,
  TPM_RH,
  TPM_SU,
  TPMS_ATTEST,
  TpmClient,
  akTemplate,
  ecdsaSignatureToDer,
  ekTemplateEcc,
  ekTemplateRsa,
  makeCredential,
  publicKeyOf,
  pw,
  srkTemplate,
  unmarshal,
  withSession,
  baseResponseCode,
  type TPMT_PUBLIC,
  type TPMT_SIGNATURE,
} from "../../tpm2/index.js";
import { manufactureTpm, type TpmEmulator } from "../../tpm-emulator/index.js";
import { requireTool } from "../interop/support/tools.js";

const EMPTY = Buffer.alloc(0);
const noSensitive = { userAuth: EMPTY, data: EMPTY };
const NULL_SCHEME = { scheme: TPM_ALG.NULL, details: undefined };

async function createPrimary(client: TpmClient, hierarchy: number, template: TPMT_PUBLIC) {
  return client.run("CreatePrimary", {
    handles: [hierarchy],
    auths: [pw()],
    params: { inSensitive: noSensitive, inPublic: template, outsideInfo: EMPTY, creationPCR: [] },
  });
}

/** PolicySecret(TPM_RH_ENDORSEMENT) in a fresh policy session: what the EK's authPolicy asks for. */
async function ekPolicySession(client: TpmClient) {
  const session = await client.startSession({ type: "policy" });
  await client.run("PolicySecret", {
    handles: [TPM_RH.ENDORSEMENT, session.handle],
    auths: [pw()],
    params: { nonceTPM: EMPTY, cpHashA: EMPTY, policyRef: EMPTY, expiration: 0 },
  });
  return session;
}

async function readNv(client: TpmClient, index: number, size: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (let offset = 0; offset < size; offset += 1024) {
    const chunk = Math.min(1024, size - offset);
    const r = await client.run("NV_Read", { handles: [TPM_RH.OWNER, index], auths: [pw()], params: { size: chunk, offset } });
    parts.push(Buffer.from(r.data));
  }
  return Buffer.concat(parts);
}

function verifyTpmSignature(pub: TPMT_PUBLIC, message: Uint8Array, sig: TPMT_SIGNATURE): boolean {
  const key = publicKeyOf(pub);
  const v = createVerify("sha256").update(message);
  if (sig.sigAlg === TPM_ALG.ECDSA) {
    const s = sig.signature as { signatureR: Uint8Array; signatureS: Uint8Array };
    return v.verify(key, ecdsaSignatureToDer(s.signatureR, s.signatureS));
  }
  return v.verify(key, (sig.signature as { sig: Uint8Array }).sig);
}

describe("e2e: a manufactured TPM through EK, AK, quote and credential activation (in-process)", function () {
  let home: string;
  let tpm: TpmEmulator;
  let client: TpmClient;

  before(async () => {
    home = mkdtempSync(path.join(tmpdir(), "apsim-e2e-"));
    tpm = await manufactureTpm({ vendor: "IFX", eks: ["rsa", "ecc"], home, seed: Buffer.alloc(32, 0x42) });
    client = new TpmClient((c) => tpm.execute(c));
    await client.run("Startup", { params: { startupType: TPM_SU.CLEAR } });
  });
  after(() => rmSync(home, { recursive: true, force: true }));

  for (const kind of ["rsa", "ecc"] as const) {
    describe(`${kind.toUpperCase()} EK`, () => {
      let ek: Awaited<ReturnType<typeof createPrimary>>;
      let certDer: Buffer;

      before(async () => {
        ek = await createPrimary(client, TPM_RH.ENDORSEMENT, kind === "rsa" ? ekTemplateRsa() : ekTemplateEcc());
        const nvPub = await client.run("NV_ReadPublic", { handles: [EK_CERT_NV_INDEX[kind]], params: {} });
        certDer = await readNv(client, EK_CERT_NV_INDEX[kind], nvPub.nvPublic.dataSize);
      });

      it("has an EK certificate in NV that chains to the vendor root and certifies this EK", async () => {
        const pki = await loadVendorPki(home, "IFX");
        const status = await verifyEkChain(pki, kind, certDer);
        expect(status.valid, status.reason).to.equal(true);
        const cert = new x509.X509Certificate(new Uint8Array(certDer));
        const [issuing, root] = pki.chainFor(kind);
        expect(await cert.verify({ publicKey: issuing.certificate.publicKey })).to.equal(true);
        expect(await issuing.certificate.verify({ publicKey: root.certificate.publicKey })).to.equal(true);
        const parsed = parseEkCertificate(certDer);
        expect(parsed.publicKey.export({ type: "spki", format: "der" })).to.deep.equal(
          publicKeyOf(ek.outPublic).export({ type: "spki", format: "der" }),
        );
        expect(parsed.manufacturerId).to.equal(0x49465800);
      });

      it("has an EK certificate that openssl verifies against the vendor chain", async function () {
        requireTool(this, ["openssl"]);
        const pki = await loadVendorPki(home, "IFX");
        const [issuing, root] = pki.chainFor(kind);
        const dir = mkdtempSync(path.join(tmpdir(), "apsim-ossl-"));
        try {
          writeFileSync(path.join(dir, "root.pem"), root.certificatePem);
          writeFileSync(path.join(dir, "issuing.pem"), issuing.certificatePem);
          writeFileSync(path.join(dir, "ek.der"), certDer);
          execFileSync("openssl", ["x509", "-inform", "DER", "-in", "ek.der", "-out", "ek.pem"], { cwd: dir });
          const out = execFileSync("openssl", ["verify", "-CAfile", "root.pem", "-untrusted", "issuing.pem", "ek.pem"], {
            cwd: dir,
          }).toString();
          expect(out).to.match(/ek\.pem: OK/);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      });

      it("creates an AK under the EK (as tpm2-tools), quotes, and activates a credential bound to the AK", async () => {
        const create = await client.run("Create", {
          handles: [ek.handle],
          auths: [withSession(await ekPolicySession(client), { attributes: 0 })],
          params: { inSensitive: noSensitive, inPublic: akTemplate(kind), outsideInfo: EMPTY, creationPCR: [] },
        });
        const ak = await client.run("Load", {
          handles: [ek.handle],
          auths: [withSession(await ekPolicySession(client), { attributes: 0 })],
          params: { inPrivate: create.outPrivate, inPublic: create.outPublic },
        });

        const nonce = Buffer.from("abcdef0123456789", "hex");
        const quote = await client.run("Quote", {
          handles: [ak.handle],
          auths: [pw()],
          params: { qualifyingData: nonce, inScheme: NULL_SCHEME, PCRselect: [{ hash: TPM_ALG.SHA256, pcrSelect: Buffer.from([0xff, 0, 0]) }] },
        });
        expect(verifyTpmSignature(create.outPublic, quote.quoted, quote.signature)).to.equal(true);
        const attest = unmarshal(TPMS_ATTEST, quote.quoted);
        expect(Buffer.from(attest.extraData)).to.deep.equal(nonce);

        const secret = Buffer.from("0123456789abcdef0123456789abcdef", "hex");
        const cred = makeCredential({ ekPublic: ek.outPublic, objectName: ak.name, credential: secret });
        const activated = await client.run("ActivateCredential", {
          handles: [ak.handle, ek.handle],
          auths: [pw(), withSession(await ekPolicySession(client), { attributes: 0 })],
          params: { credentialBlob: cred.credentialBlob, secret: cred.secret },
        });
        expect(Buffer.from(activated.certInfo)).to.deep.equal(secret);

        // a credential bound to another AK's Name does not open with this one
        const other = await client.run("Create", {
          handles: [ek.handle],
          auths: [withSession(await ekPolicySession(client), { attributes: 0 })],
          params: { inSensitive: noSensitive, inPublic: akTemplate(kind), outsideInfo: EMPTY, creationPCR: [] },
        });
        const otherAk = await client.run("Load", {
          handles: [ek.handle],
          auths: [withSession(await ekPolicySession(client), { attributes: 0 })],
          params: { inPrivate: other.outPrivate, inPublic: other.outPublic },
        });
        const wrong = await client.call("ActivateCredential", {
          handles: [otherAk.handle, ek.handle],
          auths: [pw(), withSession(await ekPolicySession(client), { attributes: 0 })],
          params: { credentialBlob: cred.credentialBlob, secret: cred.secret },
        });
        expect(baseResponseCode(wrong.rc)).to.equal(TPM_RC.INTEGRITY);
        for (const h of [ak.handle, otherAk.handle]) await client.flush(h);
      });
    });
  }

  it("creates an AK under an SRK (as Windows does) whose quote verifies with node:crypto", async () => {
    const srk = await createPrimary(client, TPM_RH.OWNER, srkTemplate("ecc"));
    const create = await client.run("Create", {
      handles: [srk.handle],
      auths: [pw()],
      params: { inSensitive: noSensitive, inPublic: akTemplate("rsa"), outsideInfo: EMPTY, creationPCR: [] },
    });
    const ak = await client.run("Load", { handles: [srk.handle], auths: [pw()], params: { inPrivate: create.outPrivate, inPublic: create.outPublic } });
    const quote = await client.run("Quote", {
      handles: [ak.handle],
      auths: [pw()],
      params: { qualifyingData: Buffer.from("nonce-1"), inScheme: NULL_SCHEME, PCRselect: [{ hash: TPM_ALG.SHA256, pcrSelect: Buffer.from([0xff, 0, 0]) }] },
    });
    expect(verifyTpmSignature(create.outPublic, quote.quoted, quote.signature)).to.equal(true);
    const flipped = Buffer.from(quote.quoted);
    flipped[flipped.length - 1]! ^= 1;
    expect(verifyTpmSignature(create.outPublic, flipped, quote.signature)).to.equal(false);
    expect(publicKeyOf(create.outPublic).asymmetricKeyType).to.equal("rsa");

    // ContextSave → ContextLoad round trip; a tampered blob is refused
    const saved = await client.run("ContextSave", { handles: [ak.handle], params: {} });
    await client.flush(ak.handle);
    const reloaded = await client.run("ContextLoad", { params: { context: saved.context } });
    const again = await client.run("ReadPublic", { handles: [reloaded.handle], params: {} });
    expect(Buffer.from(again.name)).to.deep.equal(Buffer.from(ak.name));
    const blob = Buffer.from(saved.context.contextBlob);
    blob[blob.length - 1]! ^= 0x01;
    const tampered = await client.call("ContextLoad", { params: { context: { ...saved.context, contextBlob: blob } } });
    expect(baseResponseCode(tampered.rc)).to.equal(TPM_RC.INTEGRITY);
    await client.flush(reloaded.handle);
    await client.flush(srk.handle);
  });
});
