import { expect } from "chai";
import { createHash, generateKeyPairSync, type KeyObject } from "node:crypto";
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import {
  PkiError,
  issueEkCertificate,
  listPublishedEkCertificates,
  loadVendorPki,
  publishEkCertificate,
} from "../../certs/index.js";

function spkiSha256(key: KeyObject): string {
  return createHash("sha256").update(key.export({ type: "spki", format: "der" })).digest("hex");
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

describe("certs/ek-publication", function () {
  this.timeout(60_000);
  let home: string;
  before(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), "apsim-ek-publication-"));
  });
  after(async () => rm(home, { recursive: true, force: true }));

  async function ekCertificate(key: KeyObject): Promise<Uint8Array> {
    const pki = await loadVendorPki(home, "INTC");
    return issueEkCertificate(pki, {
      ekPublicKey: key,
      kind: "ecc",
      model: "PTT",
      version: 0x02580012,
      specification: { family: "2.0", level: 0, revision: 159 },
      notBefore: new Date("2026-01-01T00:00:00Z"),
    });
  }

  it("stores the DER under <home>/pki/vendors/<CODE>/ek-certificates/<sha256 of the SPKI>.der and lists it", async () => {
    const { publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const der = await ekCertificate(publicKey);
    const published = await publishEkCertificate(home, "intc", der);
    const name = spkiSha256(publicKey);
    expect(published.name).to.equal(name);
    const file = path.join(home, "pki", "vendors", "INTC", "ek-certificates", `${name}.der`);
    expect(Buffer.compare(await readFile(file), Buffer.from(der))).to.equal(0);
    expect((await stat(file)).mode & 0o777).to.equal(0o644);
    const listed = await listPublishedEkCertificates(home, "INTC");
    const entry = listed.find((e) => e.name === name);
    expect(entry, "listed").to.not.equal(undefined);
    expect(Buffer.compare(Buffer.from(entry!.certificate), Buffer.from(der))).to.equal(0);
    expect(spkiSha256(entry!.ekPublicKey)).to.equal(name);
    expect(await listPublishedEkCertificates(home, "INTC", new Set([name]))).to.satisfy((rest: { name: string }[]) => rest.every((e) => e.name !== name));
  });

  it("publishes a certificate for another key than its own under that key (a foreign certificate)", async () => {
    const own = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey;
    const ek = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey;
    const der = await ekCertificate(own);
    const published = await publishEkCertificate(home, "INTC", der, { ekPublicKey: ek });
    expect(published.name).to.equal(spkiSha256(ek));
    const entry = (await listPublishedEkCertificates(home, "INTC")).find((e) => e.name === spkiSha256(ek));
    expect(entry && spkiSha256(entry.ekPublicKey)).to.equal(spkiSha256(ek));
    expect(Buffer.compare(Buffer.from(entry!.certificate), Buffer.from(der))).to.equal(0);
  });

  it("creates the vendor PKI before publishing into a fresh home, so the PKI still loads afterwards", async () => {
    const other = await mkdtemp(path.join(os.tmpdir(), "apsim-ek-publication-fresh-"));
    try {
      const { publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
      const der = await ekCertificate(publicKey);
      await publishEkCertificate(other, "INTC", der);
      const pki = await loadVendorPki(other, "INTC");
      expect(pki.issuingCas).to.have.length(1);
      expect(await listPublishedEkCertificates(other, "INTC")).to.have.length(1);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  it("refuses what is not a certificate and unknown vendors; ignores stray files; lists nothing for a vendor without publications", async () => {
    const malformed = await rejection(publishEkCertificate(home, "INTC", Buffer.from("not a certificate")));
    expect(malformed).to.be.instanceOf(PkiError);
    expect((malformed as PkiError).code).to.equal("EK_CERT_MALFORMED");
    const unknown = await rejection(publishEkCertificate(home, "XYZ", Buffer.alloc(1)));
    expect((unknown as PkiError).code).to.equal("UNKNOWN_VENDOR");
    const dir = path.join(home, "pki", "vendors", "INTC", "ek-certificates");
    const before = (await listPublishedEkCertificates(home, "INTC")).length;
    await writeFile(path.join(dir, "notes.txt"), "x");
    await writeFile(path.join(dir, `${"ab".repeat(32)}.der`), "garbage");
    expect(await listPublishedEkCertificates(home, "INTC")).to.have.length(before);
    expect(await readdir(dir)).to.include("notes.txt");
    expect(await listPublishedEkCertificates(home, "AMD")).to.deep.equal([]);
  });
});
