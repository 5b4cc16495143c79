// Device join against the real attestation service: TPMs from the emulator attested by attestDevice, then joined.
import { expect } from "chai";
import { createHash, generateKeyPairSync, sign, X509Certificate, type KeyObject } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { request, type Dispatcher } from "undici";
import { attestDevice, createDeviceKey, deviceKeyTemplate, joinDevice, TpmDevice, type AttestationOutcome } from "../../../agent/index.js";
import { startServices, type RunningServices } from "../../../attestation-service/index.js";
import {
  issueAikCertificate,
  loadAikIssuingCa,
  loadDeviceRegistrationCa,
  loadTlsTrust,
  loadVendorPki,
  parseAikCertificate,
} from "../../../certs/index.js";
import { DomainControllerSimulator, JoinService, joinServiceMount } from "../../../deployment-service/index.js";
import { ManualClock, createHttpsAgent } from "../../../lib/index.js";
import { JOIN_PATH, ProtocolError, formatJoinRequest, type JoinRequest } from "../../../protocol/index.js";
import { manufactureTpm } from "../../../tpm-emulator/index.js";
import { TPM2B_PUBLIC, marshal } from "../../../tpm2/index.js";
import { loadedHandles } from "../../agent/support/tpms.js";
import { MemoryJoinDirectory } from "./memory-join-directory.js";

interface Answer {
  readonly status: number;
  readonly body: { error?: { code: string; hresult?: string }; deviceId?: string };
}

const SERIAL = "PF-JOIN-0001";
const PASSWORD = "correct horse battery staple";
const sha256 = (text: string): Buffer => createHash("sha256").update(text, "utf8").digest();
const derOf = (pem: string): Uint8Array => new Uint8Array(new X509Certificate(pem).raw);

describe("deployment-service/join: device join over HTTPS", function () {
  this.timeout(180_000);
  let home: string;
  let services: RunningServices;
  let ca: string;
  let dispatcher: Dispatcher;
  let joinService: JoinService;
  // ahead of the wall clock, which dates the EK certificates the factory makes during the run
  const clock = new ManualClock(Date.now() + 60 * 60 * 1000);
  const directory = new MemoryJoinDirectory().addUser("ada@contoso.example", PASSWORD).addDevice(SERIAL, "ztd-0001");
  const domainController = new DomainControllerSimulator({ domain: "corp.contoso.example" });
  const attested: { device: TpmDevice; outcome: AttestationOutcome }[] = [];

  async function attest(seed: number): Promise<{ device: TpmDevice; outcome: AttestationOutcome }> {
    const tpm = await manufactureTpm({ vendor: "IFX", eks: ["ecc"], home, seed: Buffer.alloc(32, seed) });
    const device = TpmDevice.fromEmulator(tpm);
    const outcome = await attestDevice({ tpm: device, serverUrl: services.url, ca, ek: "ecc", ak: "ecc", keepAk: true, clock });
    expect(outcome.ok, JSON.stringify(outcome.steps)).to.equal(true);
    attested.push({ device, outcome });
    return { device, outcome };
  }

  /** A self-deploying join request as the agent builds it; `token` and `qualifyingData` may be swapped. */
  async function attestedRequest(
    device: TpmDevice,
    outcome: AttestationOutcome,
    change: { token?: string; qualifyingData?: Uint8Array; aikCertificate?: Uint8Array } = {},
  ): Promise<JoinRequest> {
    const token = change.token ?? outcome.token!;
    const key = await createDeviceKey(device, { kind: "ecc", ak: outcome.attestationKey!.handle, qualifyingData: change.qualifyingData ?? sha256(token) });
    return {
      v: 1,
      mode: "self-deploying",
      joinType: "entra",
      serialNumber: SERIAL,
      deviceKey: key.publicBytes,
      attestation: {
        aikCertificate: change.aikCertificate ?? derOf(outcome.akCertificate!),
        akPublic: marshal(TPM2B_PUBLIC, outcome.attestationKey!.public),
        token,
        certifyInfo: key.certifyInfo,
        certifySignature: key.certifySignature,
      },
    };
  }

  async function post(joinRequest: JoinRequest): Promise<Answer> {
    const answer = await request(new URL(JOIN_PATH, services.url), {
      method: "POST",
      dispatcher,
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(formatJoinRequest(joinRequest)),
    });
    return { status: answer.statusCode, body: (await answer.body.json()) as Answer["body"] };
  }

  function expectRefused(answer: Answer, code: string, hresult: string, status = 400): void {
    expect(answer.status, JSON.stringify(answer.body)).to.equal(status);
    expect(answer.body.error).to.include({ code, hresult });
  }

  /** The token with its payload changed by `edit`, signed again with `key` (or keeping the old signature). */
  function alteredToken(token: string, edit: (payload: Record<string, unknown>) => void, key?: KeyObject): string {
    const [header, payload, signature] = token.split(".") as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>;
    edit(claims);
    const body = Buffer.from(JSON.stringify(claims)).toString("base64url");
    if (key === undefined) return `${header}.${body}.${signature}`;
    const resigned = sign("sha256", Buffer.from(`${header}.${body}`), { key, dsaEncoding: "ieee-p1363" });
    return `${header}.${body}.${resigned.toString("base64url")}`;
  }

  before(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), "apsim-join-"));
    services = await startServices({
      home,
      port: 0,
      clock,
      extraServices: [
        async (app, context) => (joinService = await joinServiceMount({ directory, domainController })(app, context)),
      ],
    });
    ca = await loadTlsTrust(home);
    dispatcher = createHttpsAgent({ ca });
  });
  after(async () => {
    for (const { device, outcome } of attested) await device.flushQuietly(outcome.attestationKey!.handle);
    await dispatcher?.close();
    await services?.close();
    await rm(home, { recursive: true, force: true });
  });

  it("self-deploying: the attested device gets a certificate for its TPM device key and a device token", async () => {
    const { device, outcome } = await attest(0x21);
    // keepAk: the AK stays loaded for the join, everything else attestation loaded is flushed
    expect(await loadedHandles(device.client, 0x80)).to.deep.equal([outcome.attestationKey!.handle]);
    const joined = await joinDevice({ tpm: device, serverUrl: services.url, ca, mode: "self-deploying", serialNumber: SERIAL, attestation: outcome });
    expect(joined, JSON.stringify(joined)).to.include({ ok: true, code: "OK", hresult: "0x00000000" });
    const certificate = new X509Certificate(joined.deviceCertificate!);
    expect(certificate.subject).to.equal(`CN=${joined.deviceId}`);
    const registrationCa = await loadDeviceRegistrationCa(home);
    expect(certificate.verify(new X509Certificate(registrationCa.certificatePem).publicKey)).to.equal(true);
    const claims = await joinService.verifyDeviceToken(joined.deviceToken!);
    expect(claims).to.include({ deviceid: joined.deviceId, ztdid: "ztd-0001", mode: "self-deploying", jointype: "entra" });
    expect(directory.joins.at(-1)).to.include({ deviceId: joined.deviceId, serialNumber: SERIAL, mode: "self-deploying" });
    expect(directory.joins.at(-1)!.certificateThumbprint).to.equal(createHash("sha256").update(certificate.raw).digest("hex"));
  });

  it("an attestation token joins once: presenting it again is JOIN_ATTESTATION_REPLAYED", async () => {
    const { device, outcome } = await attest(0x22);
    const joinRequest = await attestedRequest(device, outcome);
    expect((await post(joinRequest)).status).to.equal(200);
    expectRefused(await post(joinRequest), "JOIN_ATTESTATION_REPLAYED", "0x801c03ea");
  });

  describe("refusals of one attested device (none spends its token)", () => {
    let device: TpmDevice;
    let outcome: AttestationOutcome;
    before(async () => {
      ({ device, outcome } = await attest(0x23));
    });

    it("an expired attestation token: JOIN_ATTESTATION_EXPIRED", async () => {
      const joinRequest = await attestedRequest(device, outcome);
      clock.advance(2 * 60 * 60 * 1000);
      try {
        expectRefused(await post(joinRequest), "JOIN_ATTESTATION_EXPIRED", "0x801c03ea");
      } finally {
        clock.advance(-2 * 60 * 60 * 1000);
      }
    });

    it("a token signed by another key, or whose claims were changed, is JOIN_ATTESTATION_INVALID", async () => {
      const forger = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
      const forged = alteredToken(outcome.token!, () => undefined, forger);
      expectRefused(await post(await attestedRequest(device, outcome, { token: forged })), "JOIN_ATTESTATION_INVALID", "0x801c03ea");
      const tampered = alteredToken(outcome.token!, (claims) => (claims["exp"] = (claims["exp"] as number) + 86_400));
      expectRefused(await post(await attestedRequest(device, outcome, { token: tampered })), "JOIN_ATTESTATION_INVALID", "0x801c03ea");
    });

    it("another device's genuine token presented with this AK is JOIN_ATTESTATION_INVALID", async () => {
      const other = await attest(0x24);
      expectRefused(await post(await attestedRequest(device, outcome, { token: other.outcome.token! })), "JOIN_ATTESTATION_INVALID", "0x801c03ea");
    });

    it("a device key the AK did not certify is JOIN_DEVICE_KEY_NOT_CERTIFIED", async () => {
      const genuine = await attestedRequest(device, outcome);
      const uncertified = await createDeviceKey(device, { kind: "ecc" });
      expectRefused(await post({ ...genuine, deviceKey: uncertified.publicBytes }), "JOIN_DEVICE_KEY_NOT_CERTIFIED", "0x801c03ea");

      const other = attested.find((entry) => entry.outcome !== outcome && entry.outcome.token !== undefined)!;
      const byOtherAk = await createDeviceKey(other.device, { kind: "ecc", ak: other.outcome.attestationKey!.handle, qualifyingData: sha256(outcome.token!) });
      const signedByOtherAk = {
        ...genuine,
        deviceKey: byOtherAk.publicBytes,
        attestation: { ...genuine.attestation!, certifyInfo: byOtherAk.certifyInfo, certifySignature: byOtherAk.certifySignature },
      };
      expectRefused(await post(signedByOtherAk), "JOIN_DEVICE_KEY_NOT_CERTIFIED", "0x801c03ea");

      const unbound = await attestedRequest(device, outcome, { qualifyingData: Buffer.alloc(32, 7) });
      expectRefused(await post(unbound), "JOIN_DEVICE_KEY_NOT_CERTIFIED", "0x801c03ea");
    });

    it("an AIK certificate from an AIK CA of the same name but not ours is JOIN_AIK_CERT_UNTRUSTED", async () => {
      const foreignHome = await mkdtemp(path.join(os.tmpdir(), "apsim-join-foreign-"));
      try {
        const genuine = parseAikCertificate(derOf(outcome.akCertificate!));
        const ekIssuer = (await loadVendorPki(home, "IFX")).issuerFor("ecc").certificate;
        const foreignCa = await loadAikIssuingCa(foreignHome, "IFX", ekIssuer);
        expect(foreignCa.certificate.subject).to.equal(genuine.issuer);
        const counterfeit = await issueAikCertificate({
          issuingCa: foreignCa,
          akPublicKey: genuine.publicKey,
          tpm: genuine.tpm,
          notBefore: genuine.notBefore,
          notAfter: genuine.notAfter,
          serialNumber: genuine.serialNumber,
        });
        const joinRequest = await attestedRequest(device, outcome, { aikCertificate: new Uint8Array(counterfeit.rawData) });
        expectRefused(await post(joinRequest), "JOIN_AIK_CERT_UNTRUSTED", "0x801c03ea");
      } finally {
        await rm(foreignHome, { recursive: true, force: true });
      }
    });

    it("after all those refusals the genuine request still joins, here as a pre-provisioned hybrid join", async () => {
      const answer = await post({ ...(await attestedRequest(device, outcome)), mode: "pre-provisioning", joinType: "hybrid" });
      expect(answer.status, JSON.stringify(answer.body)).to.equal(200);
      expect(answer.body).to.have.property("odjBlob");
    });
  });

  describe("user-driven and hybrid joins", () => {
    let device: TpmDevice;
    before(async () => {
      device = TpmDevice.fromEmulator(await manufactureTpm({ vendor: "NTC", eks: ["ecc"], home, seed: Buffer.alloc(32, 0x31) }));
    });
    const join = (extra: Partial<Parameters<typeof joinDevice>[0]> = {}) =>
      joinDevice({
        tpm: device,
        serverUrl: services.url,
        ca,
        mode: "user-driven",
        serialNumber: SERIAL,
        credentials: { userPrincipalName: "ada@contoso.example", password: PASSWORD },
        ...extra,
      });

    it("the user's credentials join the device; the device token names the user", async () => {
      const joined = await join();
      expect(joined, JSON.stringify(joined)).to.include({ ok: true });
      expect(await joinService.verifyDeviceToken(joined.deviceToken!)).to.include({ upn: "ada@contoso.example", mode: "user-driven" });
    });

    it("a wrong password is JOIN_AUTHENTICATION_FAILED (401, 0x801c0002)", async () => {
      const refused = await join({ credentials: { userPrincipalName: "ada@contoso.example", password: "wrong" } });
      expect(refused).to.include({ ok: false, code: "JOIN_AUTHENTICATION_FAILED", hresult: "0x801c0002", deviceId: null });
    });

    it("a device that is not registered is JOIN_DEVICE_NOT_FOUND (0x801c03f2)", async () => {
      expect(await join({ serialNumber: "NOT-REGISTERED" })).to.include({ ok: false, code: "JOIN_DEVICE_NOT_FOUND", hresult: "0x801c03f2" });
    });

    it("hybrid: the device applies the offline domain join blob and reaches the domain controller", async () => {
      const joined = await join({ joinType: "hybrid", deviceName: "desktop-7" });
      expect(joined, JSON.stringify(joined)).to.include({ ok: true });
      expect(joined.domain).to.deep.equal({ domain: "corp.contoso.example", machineName: "DESKTOP-7", domainController: domainController.hostName });
      expect(domainController.hasComputer("DESKTOP-7")).to.equal(true);
    });

    it("hybrid with the domain controller out of reach fails with 0x80070774", async () => {
      domainController.setReachable(false);
      try {
        const refused = await join({ joinType: "hybrid" });
        expect(refused).to.include({ ok: false, code: "HYBRID_DC_UNREACHABLE", hresult: "0x80070774" });
      } finally {
        domainController.setReachable(true);
      }
    });
  });
});

describe("deployment-service/join: JoinService without a domain, keys given outright", function () {
  this.timeout(30_000);
  let home: string;
  let service: JoinService;
  const directory = new MemoryJoinDirectory().addUser("ada@contoso.example", PASSWORD).addDevice(SERIAL, "ztd-0001");
  const { publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const jwk = publicKey.export({ format: "jwk" });
  const deviceKey = marshal(TPM2B_PUBLIC, {
    ...deviceKeyTemplate("ecc"),
    unique: { x: Buffer.from(jwk.x!, "base64url"), y: Buffer.from(jwk.y!, "base64url") },
  });
  const userDriven: JoinRequest = {
    v: 1,
    mode: "user-driven",
    joinType: "entra",
    serialNumber: SERIAL,
    deviceKey,
    credentials: { userPrincipalName: "ada@contoso.example", password: PASSWORD },
  };

  async function codeOf(joinRequest: JoinRequest): Promise<string | undefined> {
    try {
      await service.join(joinRequest);
      return undefined;
    } catch (error) {
      if (error instanceof ProtocolError) return error.code;
      throw error;
    }
  }

  before(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), "apsim-join-unit-"));
    service = await JoinService.create({ home, clock: new ManualClock(), directory, attestationKeys: { jwks: { keys: [] } } });
  });
  after(async () => {
    await service.close();
    await rm(home, { recursive: true, force: true });
  });

  it("certifies the presented key for a user-driven join", async () => {
    const response = await service.join(userDriven);
    const certified = new X509Certificate(response.deviceCertificate).publicKey.export({ format: "jwk" });
    expect(certified).to.deep.include({ x: jwk.x, y: jwk.y });
    expect(response.odjBlob).to.equal(undefined);
  });

  it("refuses a hybrid join when no domain is configured, and a device key that is no key", async () => {
    expect(await codeOf({ ...userDriven, joinType: "hybrid" })).to.equal("JOIN_HYBRID_NOT_CONFIGURED");
    expect(await codeOf({ ...userDriven, deviceKey: deviceKey.subarray(0, 20) })).to.equal("MALFORMED_TPM_STRUCTURE");
    const offCurve = marshal(TPM2B_PUBLIC, { ...deviceKeyTemplate("ecc"), unique: { x: Buffer.alloc(32, 1), y: Buffer.alloc(32, 2) } });
    expect(await codeOf({ ...userDriven, deviceKey: offCurve })).to.equal("MALFORMED_TPM_STRUCTURE");
  });
});
