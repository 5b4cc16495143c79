import { expect } from "chai";
import { generateKeyPairSync } from "node:crypto";
import { readFile } from "node:fs/promises";
import { buildWindowsCsr, generateRsaKeyPair, windowsCsrCommonName } from "../../../../agent/mdm/enrollment/index.js";
import { MS_DEVICE_ID_EXTENSION_OID, parseCertificateRequest, requestedDeviceId, verifyCertificateRequest } from "../../../../certs/index.js";
import { childrenOf, encodingOf, readSingleElement, type DerElement } from "../../../../certs/der.js";
import { fixtureCsr, sharedRsaKey } from "../../../certs/csr-builder.js";

const FIXTURE = new URL("../../../fixtures/windows-10-19043/enrollment-request.xml", import.meta.url);
const FIXTURE_DEVICE_ID = "1E08C6E95D8BB843B1278FF45BC60CC6";
/** The capture's CN opens with these 30 characters of a GUID. */
const FIXTURE_GUID = "BA405A5D-B1C7-4737-81C8-8F379A6B21C4";

/** The parts of a request: CertificationRequestInfo's fields, the signature algorithm, the signature. */
function partsOf(der: Uint8Array): { version: Buffer; subject: Buffer; spki: Buffer; attributes: Buffer; algorithm: Buffer } {
  const [info, algorithm] = childrenOf(readSingleElement(der)) as [DerElement, DerElement, DerElement];
  const [version, subject, spki, attributes] = childrenOf(info) as [DerElement, DerElement, DerElement, DerElement];
  const bytes = (element: DerElement): Buffer => Buffer.from(encodingOf(element));
  return { version: bytes(version), subject: bytes(subject), spki: bytes(spki), attributes: bytes(attributes), algorithm: bytes(algorithm) };
}

describe("agent/mdm/enrollment/windows-csr: the PKCS#10 Windows' enrollment client sends", function () {
  this.timeout(20_000);
  let fixture: Buffer;

  before(async () => {
    fixture = fixtureCsr(await readFile(FIXTURE, "utf8"));
  });

  it("writes the captured request's subject, extension request and signature algorithm byte for byte", async () => {
    const csr = await buildWindowsCsr({ deviceId: FIXTURE_DEVICE_ID, keyPair: sharedRsaKey(), requestGuid: FIXTURE_GUID });
    const ours = partsOf(csr.der);
    const captured = partsOf(fixture);
    expect(ours.version.equals(captured.version)).to.equal(true);
    expect(ours.subject.toString("hex")).to.equal(captured.subject.toString("hex"));
    expect(ours.attributes.toString("hex")).to.equal(captured.attributes.toString("hex"));
    expect(ours.algorithm.toString("hex")).to.equal(captured.algorithm.toString("hex"));
    expect(ours.spki.equals(sharedRsaKey().publicKey.export({ format: "der", type: "spki" }))).to.equal(true);
  });

  it("is accepted by the project's verifier: SHA-1 under 1.3.14.3.2.29, the CN and the DeviceID extension", async () => {
    const deviceId = "0A1B2C3D4E5F60718293A4B5C6D7E8F9";
    const csr = await buildWindowsCsr({ deviceId, keyPair: sharedRsaKey() });
    const request = await verifyCertificateRequest(csr.der);
    expect(request.signatureAlgorithm).to.equal("1.3.14.3.2.29");
    expect(request.signatureHash).to.equal("sha1");
    expect(request.keyType).to.equal("rsa");
    expect(request.keyBits).to.equal(2048);
    expect(request.subjectCommonName).to.equal(csr.commonName);
    expect(csr.commonName).to.have.length(64);
    expect(csr.commonName).to.match(/^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{6}!0A1B2C3D4E5F60718293A4B5C6D7E8F9\0$/);
    expect(request.extensions).to.have.length(1);
    expect(request.extensions[0]!.oid).to.equal(MS_DEVICE_ID_EXTENSION_OID);
    expect(request.extensions[0]!.critical).to.equal(false);
    expect(requestedDeviceId(request)).to.equal(deviceId);
    expect(request.publicKey.equals(sharedRsaKey().publicKey)).to.equal(true);
  });

  it("opens every request's CN with a fresh GUID", async () => {
    const deviceId = "0A1B2C3D4E5F60718293A4B5C6D7E8F9";
    const first = await buildWindowsCsr({ deviceId, keyPair: sharedRsaKey() });
    const second = await buildWindowsCsr({ deviceId, keyPair: sharedRsaKey() });
    expect(first.commonName).to.not.equal(second.commonName);
  });

  it("signs with SHA-256 under sha256WithRSAEncryption when asked", async () => {
    const csr = await buildWindowsCsr({ deviceId: FIXTURE_DEVICE_ID, keyPair: sharedRsaKey(), hash: "sha256" });
    const request = await verifyCertificateRequest(csr.der);
    expect(request.signatureAlgorithm).to.equal("1.2.840.113549.1.1.11");
    expect(request.signatureHash).to.equal("sha256");
  });

  it("keeps the CN within 64 characters by shortening the GUID only", () => {
    expect(windowsCsrCommonName(FIXTURE_GUID, FIXTURE_DEVICE_ID)).to.equal(`BA405A5D-B1C7-4737-81C8-8F379A!${FIXTURE_DEVICE_ID}\0`);
  });

  it("refuses a DeviceID that is not 32 hex digits and a key that is not RSA", async () => {
    let error: unknown;
    try {
      await buildWindowsCsr({ deviceId: "1E08C6E95D8BB843", keyPair: sharedRsaKey() });
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(RangeError);
    error = undefined;
    try {
      await buildWindowsCsr({ deviceId: FIXTURE_DEVICE_ID, keyPair: generateKeyPairSync("ec", { namedCurve: "prime256v1" }) });
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(RangeError);
  });

  it("generates an RSA-2048 key pair by default", async () => {
    const keyPair = await generateRsaKeyPair();
    const request = parseCertificateRequest((await buildWindowsCsr({ deviceId: FIXTURE_DEVICE_ID, keyPair })).der);
    expect(request.keyBits).to.equal(2048);
    expect(request.publicKey.equals(keyPair.publicKey)).to.equal(true);
  });
});
