import { expect } from "chai";
import { generateKeyPairSync } from "node:crypto";
import { mkdtemp, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import {
  DEVICE_IDENTITY_VALIDITY_DAYS,
  DEVICE_REGISTRATION_CA_COMMON_NAME,
  PkiError,
  issueDeviceIdentityCertificate,
  loadDeviceRegistrationCa,
  x509,
} from "../../certs/index.js";

describe("certs/device-identity-ca", function () {
  this.timeout(30_000);
  let home: string;
  const deviceId = "8d9c3e29-1f00-4a00-8000-00000000abcd";
  const spki = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ type: "spki", format: "der" });

  before(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), "apsim-device-ca-"));
  });
  after(async () => rm(home, { recursive: true, force: true }));

  it("creates the device registration CA once under the home, key 0600, even when asked twice at once", async () => {
    const [first, concurrent] = await Promise.all([loadDeviceRegistrationCa(home), loadDeviceRegistrationCa(home)]);
    expect(concurrent.certificate.serialNumber).to.equal(first.certificate.serialNumber);
    expect((await loadDeviceRegistrationCa(home)).certificate.serialNumber).to.equal(first.certificate.serialNumber);
    expect(first.certificate.subject).to.contain(`CN=${DEVICE_REGISTRATION_CA_COMMON_NAME}`);
    expect(await first.certificate.isSelfSigned()).to.equal(true);
    const keyFile = path.join(home, "pki", "device-registration", "DeviceRegistrationCA", "DeviceRegistrationCA.key.pem");
    expect((await stat(keyFile)).mode & 0o777).to.equal(0o600);
  });

  it("issues a certificate naming the device and certifying the device key, signed by the CA", async () => {
    const ca = await loadDeviceRegistrationCa(home);
    const now = new Date(Date.UTC(2026, 5, 1));
    const certificate = await issueDeviceIdentityCertificate(ca, { deviceId, subjectPublicKeyInfo: spki, now });
    expect(certificate.subject).to.equal(`CN=${deviceId}`);
    expect(certificate.issuer).to.equal(ca.certificate.subject);
    expect(Buffer.from(certificate.publicKey.rawData).equals(spki)).to.equal(true);
    expect(await certificate.verify({ publicKey: ca.certificate.publicKey, signatureOnly: true })).to.equal(true);
    expect(certificate.getExtension(x509.BasicConstraintsExtension)?.ca).to.equal(false);
    expect(certificate.getExtension(x509.ExtendedKeyUsageExtension)?.usages).to.deep.equal([x509.ExtendedKeyUsage.clientAuth]);
    expect(certificate.notBefore.getTime()).to.be.below(now.getTime());
    expect(certificate.notAfter.getTime() - now.getTime()).to.equal(DEVICE_IDENTITY_VALIDITY_DAYS * 86_400_000);
    const other = await issueDeviceIdentityCertificate(ca, { deviceId, subjectPublicKeyInfo: spki, now });
    expect(other.serialNumber).to.not.equal(certificate.serialNumber);
  });

  it("refuses a device id that is not a UUID and a key that does not parse", async () => {
    const ca = await loadDeviceRegistrationCa(home);
    const now = new Date();
    for (const request of [
      { deviceId: "DEVICE-1", subjectPublicKeyInfo: spki, now },
      { deviceId, subjectPublicKeyInfo: Buffer.from("not a key"), now },
    ]) {
      const error = await issueDeviceIdentityCertificate(ca, request).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(PkiError);
      expect((error as PkiError).code).to.equal("CA_REQUEST_INVALID");
    }
  });
});
