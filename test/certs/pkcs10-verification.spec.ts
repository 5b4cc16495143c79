import { expect } from "chai";
import { generateKeyPairSync } from "node:crypto";
import { readFile } from "node:fs/promises";
import { PkiError, parseCertificateRequest, requestedDeviceId, verifyCertificateRequest } from "../../certs/index.js";
import { buildCsr, fixtureCsr, sharedRsaKey } from "./csr-builder.js";

const FIXTURE = new URL("../fixtures/windows-10-19043/enrollment-request.xml", import.meta.url);

async function pkiErrorOf(promise: Promise<unknown>): Promise<PkiError> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(PkiError);
    return error as PkiError;
  }
  expect.fail("expected a PkiError");
}

describe("certs/pkcs10-verification", () => {
  it("verifies the SHA-1 (1.3.14.3.2.29) request a real Windows 10 device sent", async () => {
    const request = await verifyCertificateRequest(fixtureCsr(await readFile(FIXTURE, "utf8")));
    expect(request.signatureAlgorithm).to.equal("1.3.14.3.2.29");
    expect(request.signatureHash).to.equal("sha1");
    expect(request.keyType).to.equal("rsa");
    expect(request.keyBits).to.equal(2048);
    expect(request.subjectCommonName).to.equal("BA405A5D-B1C7-4737-81C8-8F379A!1E08C6E95D8BB843B1278FF45BC60CC6\0");
    expect(requestedDeviceId(request)).to.equal("1E08C6E95D8BB843B1278FF45BC60CC6");
  });

  it("verifies a hand-built legacy-OID SHA-1 request and a SHA-256 PKCS#1 one, with the key they carry", async () => {
    const legacy = buildCsr({ commonName: "ABC!00112233445566778899AABBCCDDEEFF\0", deviceId: "00112233445566778899AABBCCDDEEFF" });
    const parsed = await verifyCertificateRequest(legacy.der);
    expect(Buffer.from(parsed.subjectPublicKeyInfo).equals(legacy.publicKey.export({ format: "der", type: "spki" }))).to.equal(true);
    expect(requestedDeviceId(parsed)).to.equal("00112233445566778899AABBCCDDEEFF");
    const modern = buildCsr({ commonName: "device", signatureOid: "1.2.840.113549.1.1.11", hash: "sha256" });
    expect((await verifyCertificateRequest(modern.der)).signatureHash).to.equal("sha256");
  });

  it("verifies an ECDSA P-256 request", async () => {
    const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const csr = buildCsr({ commonName: "ec", signatureOid: "1.2.840.10045.4.3.2", hash: "sha256" }, ec);
    const parsed = await verifyCertificateRequest(csr.der);
    expect(parsed.keyType).to.equal("ec");
    expect(parsed.keyBits).to.equal(256);
  });

  it("rejects a request signed by another key than the one it carries", async () => {
    const other = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const forged = buildCsr({ commonName: "forged", signingKey: generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey });
    expect((await pkiErrorOf(verifyCertificateRequest(forged.der))).code).to.equal("CSR_SIGNATURE_INVALID");
    const mismatched = buildCsr({ commonName: "x", signatureOid: "1.2.840.10045.4.3.2", hash: "sha256" }, { ...sharedRsaKey(), privateKey: other.privateKey });
    expect((await pkiErrorOf(verifyCertificateRequest(mismatched.der))).code).to.equal("CSR_SIGNATURE_INVALID");
  });

  it("rejects a request whose signed bytes were altered", async () => {
    const der = Buffer.from(fixtureCsr(await readFile(FIXTURE, "utf8")));
    der[40] = der[40]! ^ 0x01;
    expect((await pkiErrorOf(verifyCertificateRequest(der))).code).to.equal("CSR_SIGNATURE_INVALID");
  });

  it("rejects bytes that are not a request, and unknown signature algorithms, with stable codes", async () => {
    expect((await pkiErrorOf(verifyCertificateRequest(Buffer.from("30030201", "hex")))).code).to.equal("CSR_MALFORMED");
    const truncated = fixtureCsr(await readFile(FIXTURE, "utf8")).subarray(0, 100);
    expect(() => parseCertificateRequest(truncated)).to.throw(PkiError).with.property("code", "CSR_MALFORMED");
    const md5 = buildCsr({ commonName: "md5", signatureOid: "1.2.840.113549.1.1.4", hash: "md5" });
    expect(() => parseCertificateRequest(md5.der)).to.throw(PkiError).with.property("code", "UNSUPPORTED_ALGORITHM");
  });
});
