import { expect } from "chai";
import { X509Certificate as NodeX509Certificate } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { AsnConvert } from "@peculiar/asn1-schema";
import { CRLNumber, id_ce_cRLNumber } from "@peculiar/asn1-x509";
import {
  CRL_VALIDITY_MS,
  PkiError,
  currentCrl,
  issueCrl,
  loadVendorPki,
  revokeSerial,
  x509,
  type VendorPki,
} from "../../certs/index.js";
import { openssl, requireOpenssl } from "./openssl.js";

const THIS_UPDATE = new Date("2026-03-01T10:00:00Z");
const NEXT_UPDATE = new Date("2026-03-08T10:00:00Z");

function crlNumberOf(crl: x509.X509Crl): number | undefined {
  const extension = crl.extensions.find((e) => e.type === id_ce_cRLNumber);
  return extension === undefined ? undefined : Number(AsnConvert.parse(extension.value, CRLNumber).value);
}

describe("certs/crl", function () {
  this.timeout(60_000);
  let home: string;
  let pki: VendorPki;

  before(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), "apsim-crl-"));
    pki = await loadVendorPki(home, "STM");
  });

  after(async () => {
    await rm(home, { recursive: true, force: true });
  });

  for (const kind of ["rsa", "ecc"] as const) {
    it(`issues a v2 CRL signed by the ${kind.toUpperCase()} issuing CA, with the revoked serials, AKI and CRL number`, async () => {
      const ca = pki.issuerFor(kind);
      const der = await issueCrl(ca, ["0a1b2c", { serialNumber: "7F00FF", revocationDate: new Date("2026-02-01T00:00:00Z") }], THIS_UPDATE, NEXT_UPDATE);
      const crl = new x509.X509Crl(der);
      expect(await crl.verify({ publicKey: ca.certificate.publicKey })).to.equal(true);
      expect(await crl.verify({ publicKey: pki.chainFor(kind)[1].certificate.publicKey })).to.equal(false);
      expect(crl.issuer).to.equal(ca.certificate.subject);
      expect(crl.thisUpdate.toISOString()).to.equal(THIS_UPDATE.toISOString());
      expect(crl.nextUpdate?.toISOString()).to.equal(NEXT_UPDATE.toISOString());
      expect(crl.entries.map((entry) => [entry.serialNumber, entry.revocationDate.toISOString()])).to.deep.equal([
        ["0a1b2c", THIS_UPDATE.toISOString()],
        ["7f00ff", "2026-02-01T00:00:00.000Z"],
      ]);
      const aki = crl.getExtension(x509.AuthorityKeyIdentifierExtension);
      expect(aki?.keyId).to.equal(ca.certificate.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId);
      expect(crlNumberOf(crl)).to.equal(THIS_UPDATE.getTime() / 1000);
    });
  }

  it("is accepted by openssl crl -CAfile", async function () {
    requireOpenssl(this);
    const ca = pki.issuerFor("rsa");
    const dir = await mkdtemp(path.join(os.tmpdir(), "apsim-crl-openssl-"));
    try {
      await writeFile(path.join(dir, "ca.pem"), ca.certificatePem);
      await writeFile(path.join(dir, "ca.crl"), await issueCrl(ca, ["01", "c0ffee"], THIS_UPDATE, NEXT_UPDATE));
      const run = openssl(["crl", "-inform", "DER", "-in", path.join(dir, "ca.crl"), "-CAfile", path.join(dir, "ca.pem"), "-noout", "-text"]);
      expect(run).to.match(/X509v3 CRL Number:\s+\d+/);
      expect(run).to.match(/Serial Number: 01\s/);
      // A serial with its high bit set stays positive (INTEGER 00 C0 FF EE).
      expect(run).to.match(/Serial Number: C0FFEE\s/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("numbers later CRLs higher and drops duplicate serials", async () => {
    const ca = pki.issuerFor("ecc");
    const first = new x509.X509Crl(await issueCrl(ca, [], THIS_UPDATE, NEXT_UPDATE));
    const later = new x509.X509Crl(await issueCrl(ca, ["01", "01"], new Date(THIS_UPDATE.getTime() + 1000), NEXT_UPDATE));
    expect(crlNumberOf(later)).to.be.greaterThan(crlNumberOf(first) ?? Infinity);
    expect(first.entries).to.have.length(0);
    expect(later.entries.map((entry) => entry.serialNumber)).to.deep.equal(["01"]);
  });

  it("rejects a nextUpdate not after thisUpdate and a malformed serial", async () => {
    const code = async (run: () => Promise<unknown>): Promise<string | undefined> => {
      try {
        await run();
      } catch (error) {
        return error instanceof PkiError ? error.code : String(error);
      }
      return undefined;
    };
    const ca = pki.issuerFor("rsa");
    expect(await code(() => issueCrl(ca, [], NEXT_UPDATE, THIS_UPDATE))).to.equal("CRL_REQUEST_INVALID");
    expect(await code(() => issueCrl(ca, ["xyz"], THIS_UPDATE, NEXT_UPDATE))).to.equal("CRL_REQUEST_INVALID");
  });

  it("currentCrl lists the vendor's revoked serials on issuing CAs' CRLs only, valid for a week", async () => {
    revokeSerial(home, "STM", "c0ffee");
    revokeSerial(home, "STM", "1234");
    const issuing = pki.issuerFor("rsa");
    const crl = new x509.X509Crl(await currentCrl(home, pki, issuing, THIS_UPDATE));
    expect(crl.entries.map((entry) => entry.serialNumber).sort()).to.deep.equal(["1234", "c0ffee"]);
    expect(crl.nextUpdate?.getTime()).to.equal(THIS_UPDATE.getTime() + CRL_VALIDITY_MS);
    expect(await crl.verify({ publicKey: issuing.certificate.publicKey })).to.equal(true);
    const root = pki.chainFor("rsa")[1];
    const rootCrl = new x509.X509Crl(await currentCrl(home, pki, root, THIS_UPDATE));
    expect(rootCrl.entries).to.have.length(0);
    expect(rootCrl.issuer).to.equal(root.certificate.subject);
  });

  it("the CRL's issuer matches the CA certificate byte for byte (node:crypto)", async () => {
    const ca = pki.issuerFor("ecc");
    const crl = new x509.X509Crl(await issueCrl(ca, [], THIS_UPDATE, NEXT_UPDATE));
    expect(Buffer.from(crl.issuerName.toArrayBuffer()).equals(Buffer.from(ca.certificate.subjectName.toArrayBuffer()))).to.equal(true);
    expect(new NodeX509Certificate(ca.certificatePem).subject).to.include("STM TPM ECC Intermediate CA 01");
  });
});
