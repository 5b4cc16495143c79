import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { generateKeyPair, type KeyObject } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import {
  PkiError,
  issueEkCertificate,
  loadVendorPki,
  parseEkCertificate,
  x509,
  type EkCertificateRequest,
  type KeyKind,
  type VendorPki,
} from "../../certs/index.js";

const generateKeyPairAsync = promisify(generateKeyPair);

async function generateEk(kind: KeyKind): Promise<KeyObject> {
  const pair =
    kind === "rsa"
      ? await generateKeyPairAsync("rsa", { modulusLength: 2048 })
      : await generateKeyPairAsync("ec", { namedCurve: "prime256v1" });
  return pair.publicKey;
}

const spki = (key: KeyObject): string => key.export({ type: "spki", format: "der" }).toString("hex");

/** Skips the test when openssl is missing, unless REQUIRE_INTEROP=1 demands it. */
function requireOpenssl(context: Mocha.Context): void {
  const probe = spawnSync("openssl", ["version"], { encoding: "utf8" });
  if (probe.error === undefined && probe.status === 0) return;
  if (process.env["REQUIRE_INTEROP"] === "1") throw new Error("openssl is required (REQUIRE_INTEROP=1) but not found");
  console.log("skipping: openssl not found on PATH");
  context.skip();
}

function openssl(args: string[]): string {
  const run = spawnSync("openssl", args, { encoding: "utf8" });
  expect(run.status, `openssl ${args.join(" ")}: ${run.stderr}`).to.equal(0);
  return run.stdout;
}

/** The byte offset of the OCTET STRING that holds the value of the named extension, from `asn1parse`. */
function extensionValueOffset(parsed: string, extensionName: string): number {
  const lines = parsed.split("\n");
  const at = lines.findIndex((line) => line.includes(`:${extensionName}`));
  const octets = lines.slice(at + 1).find((line) => line.includes("OCTET STRING"));
  const offset = Number.parseInt(octets?.trim().split(":")[0] ?? "", 10);
  expect(Number.isInteger(offset), `no value for ${extensionName}`).to.equal(true);
  return offset;
}

const VERSION = 0x0007000c;
const CASES: ReadonlyArray<{ vendor: string; model: string; signature: Record<KeyKind, string> }> = [
  { vendor: "IFX", model: "SLB9672", signature: { rsa: "sha256WithRSAEncryption", ecc: "ecdsa-with-SHA256" } },
  { vendor: "INTC", model: "CNL", signature: { rsa: "ecdsa-with-SHA256", ecc: "ecdsa-with-SHA256" } },
  { vendor: "AMD", model: "AMD fTPM", signature: { rsa: "sha256WithRSAEncryption", ecc: "sha256WithRSAEncryption" } },
];

describe("certs/ek-certificate", function () {
  let home: string;
  let work: string;

  before(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), "apsim-ek-home-"));
    work = await mkdtemp(path.join(os.tmpdir(), "apsim-ek-files-"));
  });

  after(async () => {
    await rm(home, { recursive: true, force: true });
    await rm(work, { recursive: true, force: true });
  });

  for (const { vendor, model, signature } of CASES) {
    for (const kind of ["rsa", "ecc"] as const) {
      describe(`${vendor} ${kind.toUpperCase()} EK`, () => {
        let pki: VendorPki;
        let ek: KeyObject;
        let der: Uint8Array<ArrayBuffer>;
        let files: { ek: string; issuing: string; root: string };

        before(async () => {
          pki = await loadVendorPki(home, vendor);
          ek = await generateEk(kind);
          der = await issueEkCertificate(pki, {
            ekPublicKey: ek,
            kind,
            model,
            version: VERSION,
            specification: { family: "2.0", level: 0, revision: 164 },
            notBefore: new Date("2024-03-01T00:00:00Z"),
          });
          const [issuing, root] = pki.chainFor(kind);
          const prefix = path.join(work, `${vendor}-${kind}`);
          files = { ek: `${prefix}-ek.der`, issuing: `${prefix}-issuing.pem`, root: `${prefix}-root.pem` };
          await writeFile(files.ek, der);
          await writeFile(files.issuing, issuing.certificatePem);
          await writeFile(files.root, root.certificatePem);
        });

        it("chains to the vendor root with @peculiar/x509, every signature valid", async () => {
          const [issuing, root] = pki.chainFor(kind);
          const leaf = new x509.X509Certificate(der);
          const chain = await new x509.X509ChainBuilder({
            certificates: [...pki.issuingCas, ...pki.roots].map((ca) => ca.certificate),
          }).build(leaf);
          expect(chain.map((cert) => cert.subject)).to.deep.equal(["", issuing.certificate.subject, root.certificate.subject]);
          for (let i = 0; i < chain.length; i++) {
            const subject = chain[i];
            const signer = chain[Math.min(i + 1, chain.length - 1)];
            if (subject === undefined || signer === undefined) throw new Error("chain has holes");
            expect(await subject.verify({ publicKey: signer.publicKey, signatureOnly: true }), subject.subject).to.equal(true);
          }
          expect(await root.certificate.isSelfSigned()).to.equal(true);
        });

        it(`is accepted by openssl verify and signed with ${signature[kind]}`, function () {
          requireOpenssl(this);
          const verified = openssl(["verify", "-x509_strict", "-CAfile", files.root, "-untrusted", files.issuing, files.ek]);
          expect(verified.trim()).to.equal(`${files.ek}: OK`);
          const text = openssl(["x509", "-inform", "DER", "-in", files.ek, "-noout", "-text"]);
          expect(text).to.include(`Signature Algorithm: ${signature[kind]}`);
        });

        it("shows the TCG profile in openssl x509 -text", function () {
          requireOpenssl(this);
          const text = openssl(["x509", "-inform", "DER", "-in", files.ek, "-noout", "-text"]);
          const manufacturer = pki.identity.manufacturerId.toString(16).toUpperCase();
          expect(text).to.match(/X509v3 Subject Alternative Name: critical\s+DirName:(.*)/);
          expect(/DirName:(.*)/.exec(text)?.[1]?.trim()).to.equal(
            `/2.23.133.2.1=id:${manufacturer}/2.23.133.2.2=${model}/2.23.133.2.3=id:0007000C`,
          );
          expect(text).to.match(/X509v3 Extended Key Usage: ?\s+2\.23\.133\.8\.1\s/);
          expect(text).to.match(/X509v3 Basic Constraints: critical\s+CA:FALSE/);
          const usage = kind === "rsa" ? "Key Encipherment" : "Key Agreement";
          expect(text).to.match(new RegExp(`X509v3 Key Usage: critical\\s+${usage}\\s`));
          expect(text).to.include(`CA Issuers - URI:${pki.issuerFor(kind).aiaUrl}`);
          expect(text).to.include(`URI:${pki.issuerFor(kind).crlUrl}`);
          expect(text).to.include("Not After : Dec 31 23:59:59 9999 GMT");
          expect(openssl(["x509", "-inform", "DER", "-in", files.ek, "-noout", "-subject"]).trim()).to.equal("subject=");
        });

        it("encodes an empty subject, GeneralizedTime 9999 and UTF8String TPM attributes (openssl asn1parse)", function () {
          requireOpenssl(this);
          const parsed = openssl(["asn1parse", "-inform", "DER", "-in", files.ek]);
          const tbsChildren = parsed.split("\n").filter((line) => /d=2 /.test(line));
          // TBSCertificate: [0] version, serial, signature, issuer, validity, subject, SPKI, [3] extensions.
          expect(tbsChildren[5]).to.match(/l= +0 cons: +SEQUENCE/);
          expect(parsed).to.include("GENERALIZEDTIME   :99991231235959Z");

          const san = openssl(["asn1parse", "-inform", "DER", "-in", files.ek, "-strparse", String(extensionValueOffset(parsed, "X509v3 Subject Alternative Name"))]);
          const manufacturer = pki.identity.manufacturerId.toString(16).toUpperCase();
          expect(san).to.include(`UTF8STRING        :id:${manufacturer}`);
          expect(san).to.include(`UTF8STRING        :${model}`);
          expect(san).to.include("UTF8STRING        :id:0007000C");
          expect(san).to.not.include("PRINTABLESTRING");

          const attributes = openssl(["asn1parse", "-inform", "DER", "-in", files.ek, "-strparse", String(extensionValueOffset(parsed, "X509v3 Subject Directory Attributes"))]);
          expect(attributes).to.include("UTF8STRING        :2.0");
          expect(attributes).to.include("INTEGER           :A4");
        });

        it("certifies exactly the EK public key", () => {
          const leaf = new x509.X509Certificate(der);
          expect(Buffer.from(leaf.publicKey.rawData).toString("hex")).to.equal(spki(ek));
        });

        it("round-trips its fields through parseEkCertificate", () => {
          const parsed = parseEkCertificate(der);
          const issuing = pki.issuerFor(kind);
          expect(parsed.manufacturerId).to.equal(pki.identity.manufacturerId);
          expect(parsed.model).to.equal(model);
          expect(parsed.version).to.equal(VERSION);
          expect(parsed.specification).to.deep.equal({ family: "2.0", level: 0, revision: 164 });
          expect(parsed.kind).to.equal(kind);
          expect(spki(parsed.publicKey)).to.equal(spki(ek));
          expect(parsed.issuer).to.equal(issuing.certificate.subject);
          expect(parsed.aiaUrl).to.equal(issuing.aiaUrl);
          expect(parsed.crlUrl).to.equal(issuing.crlUrl);
          expect(parsed.authorityKeyId).to.equal(issuing.certificate.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId);
          expect(parsed.notBefore.toISOString()).to.equal("2024-03-01T00:00:00.000Z");
          expect(parsed.notAfter.toISOString()).to.equal("9999-12-31T23:59:59.000Z");
        });
      });
    }
  }

  describe("requests", () => {
    let pki: VendorPki;
    let rsaEk: KeyObject;
    let eccEk: KeyObject;
    const base = {
      model: "ST33",
      version: 1,
      specification: { family: "2.0", level: 0, revision: 138 },
      notBefore: new Date("2024-01-01T00:00:00Z"),
    } as const;

    before(async () => {
      pki = await loadVendorPki(home, "IFX");
      [rsaEk, eccEk] = await Promise.all([generateEk("rsa"), generateEk("ecc")]);
    });

    async function rejection(request: EkCertificateRequest): Promise<string | undefined> {
      try {
        await issueEkCertificate(pki, request);
      } catch (error) {
        return error instanceof PkiError ? error.code : String(error);
      }
      return undefined;
    }

    it("uses the given serial number and notAfter", async () => {
      const serialNumber = Uint8Array.from([0x80, 1, 2, 3]);
      const notAfter = new Date("2044-01-01T00:00:00Z");
      const parsed = parseEkCertificate(await issueEkCertificate(pki, { ...base, ekPublicKey: eccEk, kind: "ecc", serialNumber, notAfter }));
      expect(parsed.serialNumber).to.equal("80010203");
      expect(parsed.notAfter.toISOString()).to.equal(notAfter.toISOString());
    });

    it("gives each certificate a distinct random serial by default", async () => {
      const request = { ...base, ekPublicKey: eccEk, kind: "ecc" } as const;
      const first = parseEkCertificate(await issueEkCertificate(pki, request));
      const second = parseEkCertificate(await issueEkCertificate(pki, request));
      expect(first.serialNumber).to.not.equal(second.serialNumber);
    });

    it("rejects inconsistent requests with EK_REQUEST_INVALID", async () => {
      expect(await rejection({ ...base, ekPublicKey: eccEk, kind: "rsa" })).to.equal("EK_REQUEST_INVALID");
      expect(await rejection({ ...base, ekPublicKey: rsaEk, kind: "rsa", model: "" })).to.equal("EK_REQUEST_INVALID");
      expect(await rejection({ ...base, ekPublicKey: rsaEk, kind: "rsa", version: -1 })).to.equal("EK_REQUEST_INVALID");
      expect(await rejection({ ...base, ekPublicKey: rsaEk, kind: "rsa", serialNumber: new Uint8Array(4) })).to.equal("EK_REQUEST_INVALID");
      expect(await rejection({ ...base, ekPublicKey: rsaEk, kind: "rsa", serialNumber: new Uint8Array(20).fill(0x90) })).to.equal("EK_REQUEST_INVALID");
      expect(await rejection({ ...base, ekPublicKey: rsaEk, kind: "rsa", notAfter: new Date("2023-01-01T00:00:00Z") })).to.equal("EK_REQUEST_INVALID");
    });

    it("parseEkCertificate rejects non-certificates and certificates without the TPM SAN", () => {
      const code = (input: Uint8Array): string | undefined => {
        try {
          parseEkCertificate(input);
        } catch (error) {
          return error instanceof PkiError ? error.code : String(error);
        }
        return undefined;
      };
      expect(code(Uint8Array.from([0x30, 0x03, 0x02, 0x01, 0x00]))).to.equal("EK_CERT_MALFORMED");
      expect(code(new Uint8Array(pki.issuerFor("rsa").certificate.rawData))).to.equal("EK_CERT_MALFORMED");
    });
  });
});
