import { expect } from "chai";
import { createHash, generateKeyPairSync, X509Certificate } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import { DEVICE_KEY_ATTRIBUTES, TpmDevice, createDeviceKey, joinDevice } from "../../../agent/index.js";
import { issueDeviceIdentityCertificate, loadDeviceRegistrationCa, loadTlsCredentials, spkiOfTpmPublic, type DeviceRegistrationCa } from "../../../certs/index.js";
import { createHttpsApp, listenLoopback } from "../../../lib/index.js";
import { JOIN_PATH, formatJoinResponse, installProtocolErrorHandler, parseJoinRequest, type JoinRequest } from "../../../protocol/index.js";
import { TpmEmulator } from "../../../tpm-emulator/index.js";
import {
  TPM2B_ATTEST,
  TPM2B_PUBLIC,
  TPM_RH,
  TPM_ALG,
  TPM_ST,
  TPM_SU,
  akTemplate,
  hashDigest,
  parseAttest,
  unmarshal,
  verifyAttestSignature,
  type TPMS_CERTIFY_INFO,
} from "../../../tpm2/index.js";
import { loadedHandles } from "../support/tpms.js";

const DEVICE_ID = "0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a00";

describe("agent/join: the device side of device join", function () {
  this.timeout(60_000);
  let home: string;
  let ca: string;
  let app: FastifyInstance;
  let url: string;
  let registrationCa: DeviceRegistrationCa;
  let device: TpmDevice;
  let emulator: TpmEmulator;
  const received: JoinRequest[] = [];
  /** What the fake service does with a request: certify its key, or another one; add an ODJ blob. */
  let answer: { certifyOtherKey?: boolean; odjBlob?: string } = {};

  before(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), "apsim-agent-join-"));
    const tls = await loadTlsCredentials(home);
    ca = tls.ca;
    registrationCa = await loadDeviceRegistrationCa(home);
    app = createHttpsApp({ tls: { cert: tls.cert, key: tls.key } });
    installProtocolErrorHandler(app);
    app.post(`/${JOIN_PATH}`, async (request, reply) => {
      const joinRequest = parseJoinRequest(request.body);
      received.push(joinRequest);
      const spki = answer.certifyOtherKey
        ? generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ type: "spki", format: "der" })
        : spkiOfTpmPublic(unmarshal(TPM2B_PUBLIC, joinRequest.deviceKey))!;
      const certificate = await issueDeviceIdentityCertificate(registrationCa, { deviceId: DEVICE_ID, subjectPublicKeyInfo: spki, now: new Date() });
      return reply.type("application/json").send(
        formatJoinResponse({
          v: 1,
          deviceId: DEVICE_ID,
          joinType: joinRequest.joinType,
          deviceCertificate: new Uint8Array(certificate.rawData),
          deviceCertificateChain: [],
          deviceToken: "header.payload.signature",
          ...(answer.odjBlob === undefined ? {} : { odjBlob: answer.odjBlob }),
        }),
      );
    });
    url = (await listenLoopback(app)).url;
    emulator = TpmEmulator.create({ vendor: "STM" });
    device = TpmDevice.fromEmulator(emulator);
    await device.client.run("Startup", { params: { startupType: TPM_SU.CLEAR } });
  });
  beforeEach(() => {
    answer = {};
    received.length = 0;
  });
  after(async () => {
    await app?.close();
    await rm(home, { recursive: true, force: true });
  });

  const credentials = { userPrincipalName: "ada@contoso.example", password: "pw" };

  it("makes a TPM-bound signing key and has the AK certify it over the join's qualifying data", async () => {
    const ak = await device.createPrimary(TPM_RH.OWNER, akTemplate("ecc"));
    try {
      const qualifyingData = createHash("sha256").update("token").digest();
      const key = await createDeviceKey(device, { kind: "ecc", ak: ak.handle, qualifyingData });
      const keyPublic = unmarshal(TPM2B_PUBLIC, key.publicBytes);
      expect(keyPublic.objectAttributes).to.equal(DEVICE_KEY_ATTRIBUTES);
      const attestBytes = unmarshal(TPM2B_ATTEST, key.certifyInfo);
      const attest = parseAttest(attestBytes);
      expect(attest.type).to.equal(TPM_ST.ATTEST_CERTIFY);
      expect(Buffer.from(attest.extraData).equals(qualifyingData)).to.equal(true);
      const nameAlg = Buffer.alloc(2);
      nameAlg.writeUInt16BE(TPM_ALG.SHA256);
      const name = Buffer.concat([nameAlg, hashDigest(keyPublic.nameAlg, key.publicBytes.subarray(2))]);
      expect(Buffer.from((attest.attested as TPMS_CERTIFY_INFO).name).equals(name)).to.equal(true);
      expect(() => verifyAttestSignature({ signerPublic: ak.public, attest: attestBytes, signature: key.certifySignature })).to.not.throw();
      expect(await loadedHandles(device.client, 0x80)).to.deep.equal([ak.handle]);
    } finally {
      await device.flushQuietly(ak.handle);
    }
  });

  it("a user-driven join sends the credentials and the device key, and keeps the certificate for that key", async () => {
    const outcome = await joinDevice({ tpm: device, serverUrl: url, ca, mode: "user-driven", serialNumber: "SN-9", credentials });
    expect(outcome, JSON.stringify(outcome)).to.include({ ok: true, deviceId: DEVICE_ID, deviceToken: "header.payload.signature" });
    expect(received).to.have.length(1);
    expect(received[0]).to.include({ mode: "user-driven", joinType: "entra", serialNumber: "SN-9" });
    expect(received[0]!.credentials).to.deep.equal(credentials);
    expect(Buffer.from(received[0]!.deviceKey).equals(Buffer.from(outcome.deviceKey!.publicBytes))).to.equal(true);
    expect(new X509Certificate(outcome.deviceCertificate!).subject).to.equal(`CN=${DEVICE_ID}`);
    expect(await loadedHandles(device.client, 0x80)).to.deep.equal([]);
  });

  it("a certificate for another key is refused: JOIN_RESPONSE_INVALID", async () => {
    answer = { certifyOtherKey: true };
    const outcome = await joinDevice({ tpm: device, serverUrl: url, ca, mode: "user-driven", serialNumber: "SN-9", credentials });
    expect(outcome).to.include({ ok: false, code: "JOIN_RESPONSE_INVALID", hresult: "0x8007000d", deviceCertificate: null });
  });

  it("an attested mode without a kept AK and token fails before asking the service", async () => {
    const outcome = await joinDevice({ tpm: device, serverUrl: url, ca, mode: "self-deploying", serialNumber: "SN-9" });
    expect(outcome).to.include({ ok: false, code: "JOIN_ATTESTATION_INVALID", hresult: "0x801c03ea" });
    expect(received).to.deep.equal([]);
  });

  it("a hybrid answer whose offline domain join blob is malformed: HYBRID_ODJ_INVALID", async () => {
    answer = { odjBlob: Buffer.from("{}").toString("base64") };
    const outcome = await joinDevice({ tpm: device, serverUrl: url, ca, mode: "user-driven", joinType: "hybrid", serialNumber: "SN-9", credentials });
    expect(outcome).to.include({ ok: false, code: "HYBRID_ODJ_INVALID", hresult: "0x8007000d" });
  });

  it("no service at the URL: SERVICE_UNREACHABLE", async () => {
    const closed = createHttpsApp({ tls: await loadTlsCredentials(home) });
    const deadUrl = (await listenLoopback(closed)).url;
    await closed.close();
    const outcome = await joinDevice({ tpm: device, serverUrl: deadUrl, ca, mode: "user-driven", serialNumber: "SN-9", credentials });
    expect(outcome).to.include({ ok: false, code: "SERVICE_UNREACHABLE" });
  });
});
