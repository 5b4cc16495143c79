import { expect } from "chai";
import { X509Certificate } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { CertificateCache } from "../../../agent/index.js";
import { loadVendorPki } from "../../../certs/index.js";

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}

describe("agent/attestation: the certificate cache", function () {
  this.timeout(60_000);
  let home: string;
  let der: Buffer;

  before(async () => {
    home = mkdtempSync(path.join(tmpdir(), "apsim-cache-"));
    der = Buffer.from((await loadVendorPki(home, "IFX")).chainFor("ecc")[0].certificate.rawData);
  });
  after(() => rmSync(home, { recursive: true, force: true }));

  it("downloads a CA certificate once however many ask at the same time, then answers from memory", async () => {
    const cache = new CertificateCache();
    let downloads = 0;
    const download = () => (downloads++, Promise.resolve(der));
    const answers = await Promise.all(Array.from({ length: 5 }, () => cache.caCertificate("https://h/ca.crt", download)));
    const again = await cache.caCertificate("https://h/ca.crt", download);
    expect(downloads).to.equal(1);
    expect(answers.map((a) => a.cached)).to.deep.equal([false, true, true, true, true]);
    expect(again.cached).to.equal(true);
    expect(again.certificate.der).to.deep.equal(der);
    expect(again.certificate.fields.caIssuers.length).to.be.greaterThan(0);
    expect(cache.stats).to.include({ downloads: 1, hits: 5 });
  });

  it("keeps neither a failed download nor an answer that is no certificate", async () => {
    const cache = new CertificateCache();
    let fail = true;
    const download = () => (fail ? Promise.reject(new Error("down")) : Promise.resolve(der));
    expect((await rejection(cache.caCertificate("https://h/ca.crt", download))).message).to.equal("down");
    fail = false;
    expect((await cache.caCertificate("https://h/ca.crt", download)).cached).to.equal(false);

    expect((await rejection(cache.caCertificate("https://h/garbage.crt", () => Promise.resolve(Buffer.from("<html>"))))).name).to.equal("CertificateFormatError");
    expect((await cache.caCertificate("https://h/garbage.crt", () => Promise.resolve(der))).cached).to.equal(false);
  });

  it("holds at most maxEntries URLs, dropping the least recently used, and forgets on request", async () => {
    const cache = new CertificateCache({ maxEntries: 2 });
    const download = () => Promise.resolve(der);
    await cache.caCertificate("a", download);
    await cache.caCertificate("b", download);
    await cache.caCertificate("a", download);
    await cache.caCertificate("c", download);
    expect(cache.size.caCertificates).to.equal(2);
    expect((await cache.caCertificate("a", download)).cached).to.equal(true);
    expect((await cache.caCertificate("b", download)).cached).to.equal(false);
    cache.forget("b");
    expect((await cache.caCertificate("b", download)).cached).to.equal(false);
  });

  it("verifies a chain once by its exact bytes, and verifies again a chain that failed", () => {
    const cache = new CertificateCache();
    const parsed = new X509Certificate(der);
    let verifications = 0;
    const verify = () => (verifications++, parsed);
    expect(cache.verifiedChain([der, Buffer.from("root")], verify)).to.equal(parsed);
    expect(cache.verifiedChain([der, Buffer.from("root")], verify)).to.equal(parsed);
    expect(verifications).to.equal(1);
    // the same bytes split differently are another chain
    cache.verifiedChain([Buffer.concat([der, Buffer.from("r")]), Buffer.from("oot")], verify);
    expect(verifications).to.equal(2);
    const failing = () => {
      verifications++;
      throw new Error("bad signature");
    };
    expect(() => cache.verifiedChain([Buffer.from("other")], failing)).to.throw("bad signature");
    expect(() => cache.verifiedChain([Buffer.from("other")], failing)).to.throw("bad signature");
    expect(verifications).to.equal(4);
    expect(cache.stats.chainsVerified).to.equal(2);
  });
});
