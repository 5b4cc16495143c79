import { expect } from "chai";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createLocalJWKSet, jwtVerify } from "jose";
import { parseAikCertificate, verifyCertificateSignature, x509 } from "../../certs/index.js";
import { ManualClock } from "../../lib/index.js";
import {
  ATTESTATION_LIMITS,
  ATTESTATION_PATHS,
  parseChallengeResponse,
  parseProofResponse,
  type ChallengeResponse,
  type ProofRequest,
} from "../../protocol/index.js";
import { publicKeyOf } from "../../tpm2/index.js";
import { ATTESTATION_TOKEN_ISSUER, VENDOR_CRL_VALIDITY_MS } from "../../attestation-service/index.js";
import { ADMIN_TOKEN, ServiceHarness, errorCodeOf, type Answer } from "./support/service-harness.js";
import { TestDevice } from "./support/test-device.js";

const DAY = 24 * 60 * 60 * 1000;

describe("attestation-service: challenge → ActivateCredential → quote → proof over HTTPS", function () {
  this.timeout(120_000);
  let home: string;
  let clock: ManualClock;
  let harness: ServiceHarness;
  const manufactured = () => new Date(clock.now() - 30 * DAY);

  before(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), "apsim-aik-"));
    clock = new ManualClock(Date.UTC(2026, 2, 1));
    harness = await ServiceHarness.start(home, clock);
    await harness.addService();
  });
  after(async () => {
    await harness.stop();
    await rm(home, { recursive: true, force: true });
  });

  async function challenge(device: TestDevice, overrides = {}): Promise<Answer> {
    return harness.post(ATTESTATION_PATHS.challenge, device.challengeRequest(clock.now(), overrides));
  }

  async function challengeOk(device: TestDevice): Promise<ChallengeResponse> {
    const answer = await challenge(device);
    expect(answer.status, JSON.stringify(answer.body)).to.equal(200);
    return parseChallengeResponse(answer.body);
  }

  async function proofOk(device: TestDevice) {
    const response = await challengeOk(device);
    const proof = await device.proofRequest(response, clock.now());
    const answer = await harness.post(ATTESTATION_PATHS.proof, proof);
    expect(answer.status, JSON.stringify(answer.body)).to.equal(200);
    return { proof, response: parseProofResponse(answer.body) };
  }

  describe("a discrete TPM (Infineon, ECC EK and AK)", () => {
    let device: TestDevice;
    before(async () => {
      device = await TestDevice.create({ home, vendor: "IFX", now: manufactured() });
    });

    it("issues an AIK certificate for the AK from the IFX-KEYID intermediate, and a token the JWKS verifies", async () => {
      const { response } = await proofOk(device);
      const aik = new x509.X509Certificate(Uint8Array.from(response.akCertificate));
      const [issuing, root] = response.akCertificateChain.map((der) => new x509.X509Certificate(Uint8Array.from(der)));
      expect(issuing!.subject).to.match(/^CN=IFX-KEYID-[0-9a-f]+$/);
      expect(await verifyCertificateSignature(response.akCertificate, issuing!.publicKey)).to.equal(true);
      expect(await verifyCertificateSignature(new Uint8Array(issuing!.rawData), root!.publicKey)).to.equal(true);
      const parsed = parseAikCertificate(aik);
      expect(parsed.violations).to.deep.equal([]);
      expect(parsed.tpm.manufacturerId).to.equal(0x49465800);
      expect(parsed.publicKey.export({ type: "spki", format: "der" })).to.deep.equal(
        publicKeyOf(device.ak.publicArea).export({ type: "spki", format: "der" }),
      );

      const jwks = await harness.get("attestation/v1/jwks");
      const { payload, protectedHeader } = await jwtVerify(response.token, createLocalJWKSet(jwks.body as never), {
        issuer: ATTESTATION_TOKEN_ISSUER,
        currentDate: new Date(clock.now()),
      });
      expect(protectedHeader.alg).to.equal("ES256");
      expect(payload.sub).to.equal(device.ak.name.toString("hex"));
      expect(payload["aikSerial"]).to.equal(parsed.serialNumber.toLowerCase().replace(/^0+/, "").padStart(32, "0"));
      expect(payload["tpm"]).to.deep.include({ manufacturer: "IFX", model: "SLB9672" });
      expect(payload.iat).to.equal(Math.floor(clock.now() / 1000));
      expect(payload.exp! > payload.iat!).to.equal(true);
      expect(payload["ekpub"]).to.match(/^[0-9a-f]{64}$/);
    });

    it("lists the issued certificate to the admin only", async () => {
      const name = device.ak.name.toString("hex");
      expect((await harness.get(`attestation/v1/admin/certificates/${name}`)).status).to.equal(401);
      const listed = await harness.get(`attestation/v1/admin/certificates/${name}`, { authorization: `Bearer ${ADMIN_TOKEN}` });
      expect(listed.status).to.equal(200);
      expect((listed.body as { certificates: unknown[] }).certificates.length).to.be.greaterThan(0);
    });

    it("refuses a second proof of the same session (NONCE_REPLAYED)", async () => {
      const response = await challengeOk(device);
      const proof = await device.proofRequest(response, clock.now());
      expect((await harness.post(ATTESTATION_PATHS.proof, proof)).status).to.equal(200);
      const again = await harness.post(ATTESTATION_PATHS.proof, proof);
      expect(again.status).to.equal(400);
      expect(errorCodeOf(again)).to.equal("NONCE_REPLAYED");
    });

    it("lets exactly one of 20 concurrent proofs of one session succeed", async () => {
      const response = await challengeOk(device);
      const proof = await device.proofRequest(response, clock.now());
      const answers = await Promise.all(Array.from({ length: 20 }, () => harness.post(ATTESTATION_PATHS.proof, proof)));
      expect(answers.filter((answer) => answer.status === 200)).to.have.length(1);
      expect(answers.filter((answer) => errorCodeOf(answer) === "NONCE_REPLAYED")).to.have.length(19);
    });

    it("refuses a wrong secret without using up the session", async () => {
      const response = await challengeOk(device);
      const proof = await device.proofRequest(response, clock.now());
      const wrong: ProofRequest = { ...proof, secret: Buffer.alloc(proof.secret.length, 0x5a) };
      const refused = await harness.post(ATTESTATION_PATHS.proof, wrong);
      expect([refused.status, errorCodeOf(refused)]).to.deep.equal([400, "CREDENTIAL_MISMATCH"]);
      expect((await harness.post(ATTESTATION_PATHS.proof, proof)).status).to.equal(200);
    });

    it("refuses a proof after the session expired (NONCE_EXPIRED, retryable)", async () => {
      const response = await challengeOk(device);
      clock.advance(5 * 60 * 1000 + 1);
      const proof = await device.proofRequest(response, clock.now());
      const answer = await harness.post(ATTESTATION_PATHS.proof, proof);
      expect([answer.status, errorCodeOf(answer)]).to.deep.equal([400, "NONCE_EXPIRED"]);
      expect((answer.body as { error: { retryable: boolean } }).error.retryable).to.equal(true);
    });

    it("refuses an unknown session, a tampered quote and PCR values that are not the quoted ones", async () => {
      const response = await challengeOk(device);
      const proof = await device.proofRequest(response, clock.now());
      const unknown = await harness.post(ATTESTATION_PATHS.proof, { ...proof, sessionId: "x".repeat(43) });
      expect(errorCodeOf(unknown)).to.equal("SESSION_UNKNOWN");
      const quote = Buffer.from(proof.quote);
      quote[quote.length - 1]! ^= 1;
      expect(errorCodeOf(await harness.post(ATTESTATION_PATHS.proof, { ...proof, quote }))).to.equal("QUOTE_SIGNATURE_INVALID");
      const pcrValues = proof.pcrValues.map((value, index) => (index === 3 ? { ...value, value: Buffer.alloc(32, 7) } : value));
      expect(errorCodeOf(await harness.post(ATTESTATION_PATHS.proof, { ...proof, pcrValues }))).to.equal("PCR_DIGEST_MISMATCH");
      expect((await harness.post(ATTESTATION_PATHS.proof, proof)).status).to.equal(200);
    });

    it("answers malformed CBOR, truncated TPM structures and oversized bodies with 4xx codes", async () => {
      const notCbor = await harness.post(ATTESTATION_PATHS.challenge, Uint8Array.of(0xbf, 0x61));
      expect([notCbor.status, errorCodeOf(notCbor)]).to.deep.equal([400, "MALFORMED_CBOR"]);
      const request = device.challengeRequest(clock.now());
      const truncated = await harness.post(ATTESTATION_PATHS.challenge, { ...request, akPublic: request.akPublic.subarray(0, 20) });
      expect([truncated.status, errorCodeOf(truncated)]).to.deep.equal([400, "MALFORMED_TPM_STRUCTURE"]);
      const badAttest = await harness.post(ATTESTATION_PATHS.challenge, { ...request, akCreationAttest: Uint8Array.of(0, 4, 1, 2) });
      expect(errorCodeOf(badAttest)).to.equal("MALFORMED_TPM_STRUCTURE");
      const huge = await harness.post(ATTESTATION_PATHS.challenge, new Uint8Array(ATTESTATION_LIMITS.maxBodyBytes + 1));
      expect([huge.status, errorCodeOf(huge)]).to.deep.equal([413, "BODY_TOO_LARGE"]);
    });

    it("refuses a device clock off by more than five minutes (CLOCK_SKEW)", async () => {
      const request = device.challengeRequest(clock.now() - 6 * 60 * 1000);
      const answer = await harness.post(ATTESTATION_PATHS.challenge, request);
      expect([answer.status, errorCodeOf(answer)]).to.deep.equal([400, "CLOCK_SKEW"]);
    });

    it("refuses an EK certificate issued for another TPM's EK (EK_KEY_MISMATCH)", async () => {
      const other = await TestDevice.create({ home, vendor: "IFX", now: manufactured() });
      const answer = await challenge(device, { ekCertificate: other.ekCertificate() });
      expect(errorCodeOf(answer)).to.equal("EK_KEY_MISMATCH");
    });
  });

  describe("a firmware TPM (Intel PTT) whose EK certificate the service fetches online", () => {
    it("fetches the certificate from the Intel-style service and completes the attestation", async () => {
      const device = await TestDevice.create({ home, vendor: "INTC", now: manufactured() });
      expect(device.ekCertificate()).to.equal(undefined);
      const { response } = await proofOk(device);
      expect(new x509.X509Certificate(Uint8Array.from(response.akCertificateChain[0]!)).subject).to.match(/^CN=INTC-KEYID-/);
    });
  });

  describe("an AMD fTPM with RSA EK and RSA AK", () => {
    it("completes the attestation", async () => {
      const device = await TestDevice.create({ home, vendor: "AMD", ek: "rsa", ak: "rsa", now: manufactured() });
      const { response } = await proofOk(device);
      expect(parseAikCertificate(response.akCertificate).kind).to.equal("rsa");
    });
  });

  describe("TPMs that are refused", () => {
    const cases: { name: string; vendor: string; faults?: Parameters<typeof TestDevice.create>[0]["faults"]; firmware?: { major: number; minor: number }; ek?: "rsa"; code: string; status: number }[] = [
      { name: "a revoked EK certificate", vendor: "IFX", faults: [{ kind: "revoked-ek-cert" }], code: "EK_CERT_REVOKED", status: 400 },
      { name: "an expired EK certificate", vendor: "STM", faults: [{ kind: "expired-ek-cert" }], code: "EK_CERT_EXPIRED", status: 400 },
      { name: "a not yet valid EK certificate", vendor: "NTC", faults: [{ kind: "not-yet-valid-ek-cert" }], code: "EK_CERT_NOT_YET_VALID", status: 400 },
      { name: "a SAN naming another manufacturer", vendor: "IFX", faults: [{ kind: "wrong-vendor-san" }], code: "EK_CERT_MANUFACTURER_MISMATCH", status: 400 },
      { name: "a certificate for another EK", vendor: "STM", faults: [{ kind: "foreign-ek-cert" }], code: "EK_KEY_MISMATCH", status: 400 },
      { name: "a discrete TPM that lost its EK certificate", vendor: "NTC", faults: [{ kind: "no-ek-cert" }], code: "EK_CERT_MISSING", status: 400 },
      { name: "a firmware TPM its vendor published no certificate for", vendor: "AMD", faults: [{ kind: "no-ek-cert" }], code: "EK_CERT_MISSING", status: 400 },
      { name: "a virtual TPM", vendor: "IFX", faults: [{ kind: "virtual" }], code: "TPM_NOT_SUPPORTED", status: 403 },
      { name: "Infineon firmware 7.61 (ADV170012)", vendor: "IFX", firmware: { major: 7, minor: 61 }, code: "TPM_FIRMWARE_BLOCKED", status: 403 },
      { name: "a ROCA-weak RSA EK", vendor: "IFX", ek: "rsa", faults: [{ kind: "roca-ek" }], code: "TPM_VULNERABLE_KEY", status: 403 },
    ];
    for (const testCase of cases) {
      it(`refuses ${testCase.name} (${testCase.code})`, async () => {
        const device = await TestDevice.create({
          home,
          vendor: testCase.vendor,
          now: manufactured(),
          ...(testCase.faults ? { faults: testCase.faults } : {}),
          ...(testCase.firmware ? { firmware: testCase.firmware } : {}),
          ...(testCase.ek ? { ek: testCase.ek } : {}),
        });
        // CRLs are cached until their nextUpdate: a revocation is seen once the cached CRL is stale.
        if (testCase.code === "EK_CERT_REVOKED") clock.advance(VENDOR_CRL_VALIDITY_MS + 1);
        const answer = await challenge(device);
        expect([answer.status, errorCodeOf(answer)], JSON.stringify(answer.body)).to.deep.equal([testCase.status, testCase.code]);
      });
    }

    it("refuses a software TPM (manufacturer IBM, as swtpm reports) and a TPM 1.2", async () => {
      const device = await TestDevice.create({ home, vendor: "IFX", now: manufactured() });
      const request = device.challengeRequest(clock.now());
      const answer = await challenge(device, { tpm: { ...request.tpm, manufacturer: 0x49424d00 } });
      expect([answer.status, errorCodeOf(answer)]).to.deep.equal([403, "TPM_NOT_SUPPORTED"]);
      const tpm12 = await challenge(device, { tpm: { ...request.tpm, family: "1.2" } });
      expect(errorCodeOf(tpm12)).to.equal("TPM_NOT_SUPPORTED");
    });
  });
});
