/**
 * The Certificate authentication policy end to end: a device holding a device identity certificate from the home's
 * device registration CA enrolls with it in the TLS handshake and no WS-Security token; a certificate of another CA
 * is refused with MENROLL_E_DEVICE_AUTHENTICATION_ERROR.
 */
import { expect } from "chai";
import { X509Certificate, generateKeyPairSync, randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { enrollDevice } from "../../../../agent/index.js";
import { startServices, type RunningServices } from "../../../../attestation-service/index.js";
import { issueDeviceIdentityCertificate, loadDeviceRegistrationCa, loadTlsTrust } from "../../../../certs/index.js";
import { deploymentServiceMount } from "../../../../deployment-service/index.js";
import { TEST_PASSWORD_COST } from "../../../deployment-service/support/directory.js";

const enrollmentKey = generateKeyPairSync("rsa", { modulusLength: 2048 });
const device = {
  deviceId: "6A1B2C3D4E5F60718293A4B5C6D7E8F9",
  hwDevId: "A".repeat(64),
  deviceName: "DESKTOP-CERT01",
  macAddresses: ["00-15-5D-01-02-03"],
  osEdition: 48,
  osVersion: "10.0.19045.5247",
  locale: "en-US",
};

describe("MDM enrollment under the Certificate policy", function () {
  this.timeout(60_000);
  let home: string;
  let ca: string;
  let services: RunningServices;
  before(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), "apsim-cert-enroll-"));
    services = await startServices({ home, port: 0, services: [], extraServices: [deploymentServiceMount({ passwordCost: TEST_PASSWORD_COST })] });
    ca = await loadTlsTrust(home);
  });
  after(async () => {
    await services?.close();
    await rm(home, { recursive: true, force: true });
  });

  async function identity(signedByHome: boolean) {
    const deviceKey = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const spki = deviceKey.publicKey.export({ type: "spki", format: "der" });
    const issuerHome = signedByHome ? home : await mkdtemp(path.join(os.tmpdir(), "apsim-other-ca-"));
    const certificate = await issueDeviceIdentityCertificate(await loadDeviceRegistrationCa(issuerHome), {
      deviceId: randomUUID(),
      subjectPublicKeyInfo: spki,
      now: new Date(),
    });
    if (!signedByHome) await rm(issuerHome, { recursive: true, force: true });
    return { kind: "certificate" as const, certificate: certificate.toString("pem"), privateKey: deviceKey.privateKey, upn: "kiosk@contoso.example" };
  }

  it("enrolls a device by its device identity certificate, discovery first", async () => {
    const outcome = await enrollDevice({
      serverUrl: services.url,
      ca,
      credentials: await identity(true),
      device,
      enrollmentType: "Device",
      keySource: () => Promise.resolve(enrollmentKey),
    });
    expect(outcome, JSON.stringify(outcome)).to.include({ ok: true });
    if (!outcome.ok) return;
    expect(new X509Certificate(outcome.clientCertificate).publicKey.export({ type: "spki", format: "der" })).to.deep.equal(
      enrollmentKey.publicKey.export({ type: "spki", format: "der" }),
    );
  });

  it("refuses a certificate from another device registration CA", async () => {
    const outcome = await enrollDevice({
      serverUrl: services.url,
      ca,
      credentials: await identity(false),
      device,
      enrollmentType: "Device",
      keySource: () => Promise.resolve(enrollmentKey),
    });
    expect(outcome).to.include({ ok: false, code: "MDE2_AUTHENTICATION", hresult: "0x80180002" });
  });
});
