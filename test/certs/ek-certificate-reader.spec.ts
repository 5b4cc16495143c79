import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { KeyObject, generateKeyPairSync } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import {
  PkiError,
  VENDORS,
  certificateFacts,
  isCaCertificate,
  issueEkCertificate,
  loadVendorPki,
  parseEkCertificate,
  readCertificate,
  readEkCertificate,
  verifyCertificateSignature,
  x509,
  type EkCertificateQuirks,
  type KeyKind,
  type VendorPki,
} from "../../certs/index.js";

const hex = (bytes: Uint8Array | ArrayBuffer): string => Buffer.from(bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes).toString("hex");

function codeOf(work: () => unknown): string | undefined {
  try {
    work();
  } catch (error) {
    return error instanceof PkiError ? error.code : `not a PkiError: ${String(error)}`;
  }
  return undefined;
}

/** What both readers must agree on. */
function comparable(parsed: ReturnType<typeof parseEkCertificate>) {
  return {
    manufacturerId: parsed.manufacturerId,
    model: parsed.model,
    version: parsed.version,
    specification: parsed.specification,
    kind: parsed.kind,
    publicKey: hex(parsed.publicKey.export({ type: "spki", format: "der" })),
    issuer: parsed.issuer,
    authorityKeyId: parsed.authorityKeyId,
    aiaUrl: parsed.aiaUrl,
    crlUrl: parsed.crlUrl,
    serialNumber: parsed.serialNumber,
    notBefore: parsed.notBefore.toISOString(),
    notAfter: parsed.notAfter.toISOString(),
  };
}

describe("certs/ek-certificate-reader: readEkCertificate", function () {
  this.timeout(120_000);
  let home: string;
  const pkis = new Map<string, VendorPki>();
  const keys: Record<KeyKind, KeyObject> = {
    ecc: generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey,
    rsa: generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey,
  };

  before(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), "apsim-ek-reader-"));
    for (const vendor of VENDORS) pkis.set(vendor.code, await loadVendorPki(home, vendor.code));
  });

  after(async () => {
    await rm(home, { recursive: true, force: true });
  });

  const issue = (pki: VendorPki, kind: KeyKind, quirks: EkCertificateQuirks = {}, serialNumber?: Uint8Array) =>
    issueEkCertificate(pki, {
      ekPublicKey: keys[kind],
      kind,
      model: "SLB9672 Ω",
      version: 0x0010000a,
      specification: { family: "2.0", level: 0, revision: 164 },
      notBefore: new Date("2019-04-16T00:00:00Z"),
      ...(serialNumber === undefined ? {} : { serialNumber }),
      quirks,
    });

  const QUIRKS: readonly EkCertificateQuirks[] = [
    {},
    { explicitFalse: true },
    { singleRdnSan: true },
    { omitAuthorityKeyId: true },
    { explicitFalse: true, singleRdnSan: true, omitAuthorityKeyId: true },
  ];

  it("reads what parseEkCertificate reads, for every vendor, key kind and encoding quirk", async () => {
    let checked = 0;
    for (const vendor of VENDORS) {
      const pki = pkis.get(vendor.code)!;
      for (const kind of ["ecc", "rsa"] as const) {
        for (const quirks of QUIRKS) {
          const der = await issue(pki, kind, quirks);
          const read = readEkCertificate(der);
          const label = `${vendor.code} ${kind} ${JSON.stringify(quirks)}`;
          expect(comparable(read), label).to.deep.equal(comparable(parseEkCertificate(der)));
          const reference = new x509.X509Certificate(der);
          expect(read.subject, label).to.equal(reference.subject);
          expect(read.ca, label).to.equal(false);
          expect(read.keyUsage, label).to.equal(reference.getExtension(x509.KeyUsagesExtension)?.usages);
          expect(read.extendedKeyUsages, label).to.deep.equal(reference.getExtension(x509.ExtendedKeyUsageExtension)?.usages.map(String));
          expect(hex(read.der)).to.equal(hex(der));
          expect(await verifyCertificateSignature(read, pki.issuerFor(kind).certificate.publicKey), label).to.equal(true);
          checked++;
        }
      }
    }
    expect(checked).to.equal(VENDORS.length * 2 * QUIRKS.length);
  });

  it("prints serials as @peculiar/x509 does (a high first octet, leading zeros)", async () => {
    const pki = pkis.get("IFX")!;
    for (const serial of ["8f", "00ff", "7f01", "0a0b0c", "ff".repeat(19)]) {
      const der = await issue(pki, "ecc", {}, Buffer.from(serial, "hex"));
      expect(readEkCertificate(der).serialNumber, serial).to.equal(new x509.X509Certificate(der).serialNumber);
    }
  });

  it("reads CA certificates' path-validation facts as @peculiar/x509 does", () => {
    for (const pki of pkis.values()) {
      for (const ca of [...pki.issuingCas, ...pki.roots]) {
        const facts = certificateFacts(ca.certificate);
        const reference = ca.certificate;
        expect(facts.subject).to.equal(reference.subject);
        expect(facts.issuer).to.equal(reference.issuer);
        expect(facts.notAfter.getTime()).to.equal(reference.notAfter.getTime());
        expect(facts.ca).to.equal(reference.getExtension(x509.BasicConstraintsExtension)?.ca === true);
        expect(facts.keyUsage).to.equal(reference.getExtension(x509.KeyUsagesExtension)?.usages);
        expect(isCaCertificate(facts)).to.equal(true);
        expect(certificateFacts(ca.certificate)).to.equal(facts);
      }
    }
  });

  it("refuses what is not a certificate, a certificate without the TPM SAN, and damaged encodings (EK_CERT_MALFORMED)", async () => {
    const der = await issue(pkis.get("INTC")!, "ecc", { explicitFalse: true });
    expect(codeOf(() => readEkCertificate(new Uint8Array(0)))).to.equal("EK_CERT_MALFORMED");
    expect(codeOf(() => readEkCertificate(Uint8Array.from([0x30, 0x03, 0x02, 0x01, 0x00])))).to.equal("EK_CERT_MALFORMED");
    expect(codeOf(() => readEkCertificate(new Uint8Array(pkis.get("IFX")!.issuerFor("rsa").certificate.rawData)))).to.equal("EK_CERT_MALFORMED");
    expect(codeOf(() => readEkCertificate(der.subarray(0, der.length - 1)))).to.equal("EK_CERT_MALFORMED");
    expect(codeOf(() => readEkCertificate(Uint8Array.from([...der, 0])))).to.equal("EK_CERT_MALFORMED");
    // every single-octet truncation of a length or a tag inside must be refused, never crash differently
    for (let offset = 0; offset < der.length; offset += 7) {
      const damaged = Uint8Array.from(der);
      damaged[offset] = damaged[offset]! ^ 0xff;
      const code = codeOf(() => readEkCertificate(damaged));
      expect([undefined, "EK_CERT_MALFORMED"], `octet ${offset}`).to.include(code);
    }
    expect(codeOf(() => readCertificate(Uint8Array.from([0x30, 0x80, 0x00, 0x00])))).to.equal("CERT_MALFORMED");
  });

  it("imports the public key on first use, and refuses an unreadable one then (EK_CERT_MALFORMED)", async () => {
    const der = await issue(pkis.get("IFX")!, "ecc");
    const read = readEkCertificate(der);
    expect(read.publicKey).to.equal(read.publicKey);
    const spkiAt = read.subjectPublicKeyInfo.byteOffset - read.der.byteOffset;
    const offCurve = Uint8Array.from(der);
    const last = spkiAt + read.subjectPublicKeyInfo.length - 1;
    offCurve[last] = offCurve[last]! ^ 0x01;
    const damaged = readEkCertificate(offCurve);
    expect(damaged.kind).to.equal("ecc");
    expect(codeOf(() => damaged.publicKey)).to.equal("EK_CERT_MALFORMED");
  });

  it("reads an EK certificate made by another encoder (swtpm_cert, GnuTLS) as parseEkCertificate does", async function () {
    const probe = spawnSync("swtpm_cert", ["--help"], { encoding: "utf8" });
    if (probe.error !== undefined) {
      if (process.env["REQUIRE_INTEROP"] === "1") throw new Error("swtpm_cert is required (REQUIRE_INTEROP=1) but not found");
      console.log("skipping: swtpm_cert (swtpm-tools) not found on PATH");
      this.skip();
    }
    const issuing = pkis.get("IBM")!.issuerFor("rsa");
    await writeFile(path.join(home, "ca.pem"), issuing.certificatePem);
    await writeFile(path.join(home, "ca.key"), KeyObject.from(issuing.privateKey).export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
    const jwk = keys.ecc.export({ format: "jwk" });
    const coordinate = (value: string | undefined) => Buffer.from(value ?? "", "base64url").toString("hex");
    const out = path.join(home, "swtpm-ek.der");
    const run = spawnSync("swtpm_cert", [
      "--signkey", path.join(home, "ca.key"), "--issuercert", path.join(home, "ca.pem"), "--out-cert", out,
      "--ecc-x", coordinate(jwk.x), "--ecc-y", coordinate(jwk.y), "--ecc-curveid", "secp256r1", "--serial", "12345", "--days", "-1",
      "--tpm-manufacturer", "id:00001014", "--tpm-model", "swtpm", "--tpm-version", "id:20191023",
      "--tpm-spec-family", "2.0", "--tpm-spec-level", "0", "--tpm-spec-revision", "164",
    ], { encoding: "utf8" });
    expect(run.status, run.stderr).to.equal(0);
    const der = new Uint8Array(await readFile(out));
    const read = readEkCertificate(der);
    expect(comparable(read)).to.deep.equal(comparable(parseEkCertificate(der)));
    expect(read).to.include({ manufacturerId: 0x1014, model: "swtpm", version: 0x20191023, kind: "ecc" });
    expect(read.extendedKeyUsages).to.deep.equal(["2.23.133.8.1"]);
    expect(await verifyCertificateSignature(read, issuing.certificate.publicKey)).to.equal(true);
  });
});
