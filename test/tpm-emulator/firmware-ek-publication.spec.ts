import { expect } from "chai";
import { createHash, type KeyObject } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import {
  listPublishedEkCertificates,
  loadVendorPki,
  parseEkCertificate,
  revokedSerials,
  verifyEkChain,
} from "../../certs/index.js";
import { deriveEk, describeTpm, manufactureTpm, type TpmEmulator } from "../../tpm-emulator/index.js";
import { publicKeyOf } from "../../tpm2/index.js";

function spkiSha256(key: KeyObject): string {
  return createHash("sha256").update(key.export({ type: "spki", format: "der" })).digest("hex");
}

describe("tpm-emulator/manufacture: firmware TPMs' EK certificates are published, not in NV", function () {
  this.timeout(120_000);
  let home: string;
  before(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), "apsim-firmware-ek-"));
  });
  after(async () => rm(home, { recursive: true, force: true }));

  function ekKey(tpm: TpmEmulator, kind: "rsa" | "ecc"): KeyObject {
    return publicKeyOf(deriveEk(tpm.runtime, kind));
  }

  async function published(vendor: string, key: KeyObject): Promise<Uint8Array | undefined> {
    const entries = await listPublishedEkCertificates(home, vendor);
    return entries.find((e) => e.name === spkiSha256(key))?.certificate;
  }

  it("an Intel PTT keeps NV empty and its vendor publishes a chaining certificate for each EK", async () => {
    const now = new Date("2026-03-01T00:00:00Z");
    const tpm = await manufactureTpm({ vendor: "INTC", home, seed: Buffer.alloc(32, 1), eks: ["rsa", "ecc"], now });
    const info = describeTpm(tpm);
    expect(info.kind).to.equal("firmware");
    expect(info.nvIndices).to.deep.equal([]);
    expect(info.ekCertificates).to.deep.equal({});
    const pki = await loadVendorPki(home, "INTC");
    for (const kind of ["rsa", "ecc"] as const) {
      const der = await published("INTC", ekKey(tpm, kind));
      expect(der, `${kind} certificate published`).to.not.equal(undefined);
      const parsed = parseEkCertificate(der!);
      expect(spkiSha256(parsed.publicKey)).to.equal(spkiSha256(ekKey(tpm, kind)));
      expect(parsed.manufacturerId).to.equal(0x494e5443);
      expect((await verifyEkChain(pki, kind, der!, new Date(now.getTime() + 86_400_000))).valid).to.equal(true);
    }
  });

  it("applies the certificate faults to published certificates as to NV ones", async () => {
    const now = new Date("2026-03-01T00:00:00Z");
    const expired = await manufactureTpm({ vendor: "AMD", home, seed: Buffer.alloc(32, 2), now, faults: [{ kind: "expired-ek-cert" }] });
    const expiredDer = await published("AMD", ekKey(expired, "rsa"));
    expect(parseEkCertificate(expiredDer!).notAfter.getTime()).to.be.lessThan(now.getTime());

    const revoked = await manufactureTpm({ vendor: "QCOM", home, seed: Buffer.alloc(32, 3), now, faults: [{ kind: "revoked-ek-cert" }] });
    const revokedDer = await published("QCOM", ekKey(revoked, "ecc"));
    expect(revokedSerials(home, "QCOM").has(parseEkCertificate(revokedDer!).serialNumber.toLowerCase())).to.equal(true);

    const foreign = await manufactureTpm({ vendor: "QCOM", home, seed: Buffer.alloc(32, 4), now, faults: [{ kind: "foreign-ek-cert" }] });
    const foreignDer = await published("QCOM", ekKey(foreign, "ecc"));
    expect(foreignDer, "published where this TPM's EK is looked up").to.not.equal(undefined);
    expect(spkiSha256(parseEkCertificate(foreignDer!).publicKey)).to.not.equal(spkiSha256(ekKey(foreign, "ecc")));
  });

  it("publishes nothing under no-ek-cert or virtual", async () => {
    const before = (await listPublishedEkCertificates(home, "INTC")).length;
    const none = await manufactureTpm({ vendor: "INTC", home, seed: Buffer.alloc(32, 5), eks: ["ecc"], faults: [{ kind: "no-ek-cert" }] });
    const virtual = await manufactureTpm({ vendor: "INTC", home, seed: Buffer.alloc(32, 6), eks: ["ecc"], faults: [{ kind: "virtual" }] });
    expect(await published("INTC", ekKey(none, "ecc"))).to.equal(undefined);
    expect(await published("INTC", ekKey(virtual, "ecc"))).to.equal(undefined);
    expect(await listPublishedEkCertificates(home, "INTC")).to.have.length(before);
    expect(describeTpm(virtual).nvIndices).to.deep.equal([]);
  });

  it("still writes discrete TPMs' certificates to NV and publishes none", async () => {
    const tpm = await manufactureTpm({ vendor: "IFX", home, seed: Buffer.alloc(32, 7), eks: ["ecc"] });
    expect(describeTpm(tpm).ekCertificates.ecc).to.match(/^-----BEGIN CERTIFICATE-----/);
    expect(await listPublishedEkCertificates(home, "IFX")).to.deep.equal([]);
  });
});
