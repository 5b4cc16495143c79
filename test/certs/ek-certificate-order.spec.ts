import { expect } from "chai";
import { generateKeyPairSync } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { PkiError, issueEkCertificateForOrder, loadVendorPki, parseEkCertificate, verifyEkChain } from "../../certs/index.js";

const NOW = new Date("2026-05-01T00:00:00Z");

describe("certs/ek-certificate-order", function () {
  this.timeout(60_000);
  let home: string;

  before(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), "apsim-ek-order-"));
  });

  after(async () => {
    await rm(home, { recursive: true, force: true });
  });

  it("certifies a PEM EK with the vendor's default model and firmware, chaining to its root", async () => {
    const ek = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey;
    const issued = await issueEkCertificateForOrder({ home, vendor: "stm", ekPublic: Buffer.from(ek.export({ type: "spki", format: "pem" })), notBefore: NOW });
    expect(issued).to.include({ vendor: "STM", kind: "ecc", model: "ST33KTPM2X", version: (9 << 16) | 257 });
    const parsed = parseEkCertificate(issued.der);
    expect(parsed).to.include({ manufacturerId: 0x53544d20, model: "ST33KTPM2X", version: (9 << 16) | 257, kind: "ecc" });
    expect(parsed.publicKey.equals(ek)).to.equal(true);
    const status = await verifyEkChain(await loadVendorPki(home, "STM"), "ecc", issued.der, new Date(NOW.getTime() + 60_000));
    expect(status.valid, status.reason).to.equal(true);
  });

  it("takes the model and firmware from the order, and IBM (swtpm's manufacturer ID) as a vendor", async () => {
    const ek = generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey;
    const issued = await issueEkCertificateForOrder({
      home,
      vendor: "IBM",
      ekPublic: ek.export({ type: "spki", format: "der" }),
      model: "swtpm",
      firmware: { major: 1, minor: 2 },
      notBefore: NOW,
    });
    expect(parseEkCertificate(issued.der)).to.include({ manufacturerId: 0x49424d00, model: "swtpm", version: 0x00010002, kind: "rsa" });
  });

  it("rejects a kind that is not the key's and an unknown vendor", async () => {
    const ek = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ type: "spki", format: "der" });
    const code = async (run: () => Promise<unknown>): Promise<string | undefined> => {
      try {
        await run();
      } catch (error) {
        return error instanceof PkiError ? error.code : String(error);
      }
      return undefined;
    };
    expect(await code(() => issueEkCertificateForOrder({ home, vendor: "IFX", ekPublic: ek, kind: "rsa", notBefore: NOW }))).to.equal("EK_REQUEST_INVALID");
    expect(await code(() => issueEkCertificateForOrder({ home, vendor: "XYZ", ekPublic: ek, notBefore: NOW }))).to.equal("UNKNOWN_VENDOR");
    expect(await code(() => issueEkCertificateForOrder({ home, vendor: "IFX", ekPublic: ek, firmware: { major: 70000, minor: 0 }, notBefore: NOW }))).to.equal("EK_REQUEST_INVALID");
  });
});
