import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseEkCertificate, revokedSerials, loadVendorPki, verifyEkChain } from "../../certs/index.js";
import type {
  TPMS_TAGGED_PROPERTY} from "../../tpm2/index.js";
import {
  EK_CERT_NV_INDEX,
  TPM_PT,
  TPM_RC,
  TPM_SU,
  TpmClient,
  bytesToBigInt,
  publicKeyOf,
  type Infer,
} from "../../tpm2/index.js";
import {
  TpmEmulator,
  TpmFaultError,
  deriveEk,
  formatTpmFault,
  hasRocaFingerprint,
  manufactureTpm,
  parseTpmFault,
} from "../../tpm-emulator/index.js";

describe("TPM fault switches", function () {
  this.timeout(120_000);
  let home: string;
  before(() => {
    home = mkdtempSync(path.join(tmpdir(), "apsim-faults-"));
  });
  after(() => rmSync(home, { recursive: true, force: true }));

  const ekCert = (tpm: TpmEmulator, kind: "rsa" | "ecc") => tpm.runtime.nvIndex(EK_CERT_NV_INDEX[kind])?.data;
  const spki = (k: ReturnType<typeof publicKeyOf>) => k.export({ type: "spki", format: "der" });

  it("parses the fault grammar and refuses unknown faults with a stable code", () => {
    expect(parseTpmFault("slow:25")).to.deep.equal({ kind: "slow", ms: 25 });
    expect(parseTpmFault("failure-mode")).to.deep.equal({ kind: "failure-mode", command: 1 });
    expect(formatTpmFault(parseTpmFault("failure-mode:7"))).to.equal("failure-mode:7");
    for (const bad of ["nope", "slow", "slow:-1", "slow:abc", "roca-ek:1", "failure-mode:0", "tpm12:x:y"]) {
      expect(() => parseTpmFault(bad), bad).to.throw(TpmFaultError).with.property("code", "TPM_FAULT_UNKNOWN");
    }
  });

  it("roca-ek: the RSA EK has the ROCA fingerprint, an honest one does not, and it survives a reload", async () => {
    const dir = path.join(home, "roca");
    const seed = Buffer.alloc(32, 9);
    const roca = await manufactureTpm({ vendor: "IFX", eks: ["rsa"], home, seed, stateDir: dir, faults: [{ kind: "roca-ek" }] });
    const honest = await manufactureTpm({ vendor: "IFX", eks: ["rsa"], home, seed });
    const modulusOf = (t: TpmEmulator) => bytesToBigInt(deriveEk(t.runtime, "rsa").unique as Uint8Array);
    expect(hasRocaFingerprint(modulusOf(roca))).to.equal(true);
    expect(hasRocaFingerprint(modulusOf(honest))).to.equal(false);
    expect(modulusOf(roca).toString(2)).to.have.length(2048);
    const reopened = TpmEmulator.open(dir);
    expect(modulusOf(reopened)).to.equal(modulusOf(roca));
    // the certificate in NV certifies the (vulnerable) EK, as a real affected TPM's does
    expect(spki(parseEkCertificate(ekCert(roca, "rsa")!).publicKey)).to.deep.equal(spki(publicKeyOf(deriveEk(roca.runtime, "rsa"))));
  });

  it("expired-ek-cert and not-yet-valid-ek-cert: certificates outside their validity now", async () => {
    const now = new Date("2026-06-01T00:00:00Z");
    const expired = await manufactureTpm({ vendor: "STM", eks: ["ecc"], home, now, faults: [{ kind: "expired-ek-cert" }] });
    const future = await manufactureTpm({ vendor: "STM", eks: ["ecc"], home, now, faults: [{ kind: "not-yet-valid-ek-cert" }] });
    const pki = await loadVendorPki(home, "STM");
    const a = parseEkCertificate(ekCert(expired, "ecc")!);
    const b = parseEkCertificate(ekCert(future, "ecc")!);
    expect(a.notAfter.getTime()).to.be.lessThan(now.getTime());
    expect(b.notBefore.getTime()).to.be.greaterThan(now.getTime());
    expect((await verifyEkChain(pki, "ecc", ekCert(expired, "ecc")!, now)).valid).to.equal(false);
    expect((await verifyEkChain(pki, "ecc", ekCert(future, "ecc")!, now)).valid).to.equal(false);
  });

  it("revoked-ek-cert: the serial is on the vendor's revocation list", async () => {
    const tpm = await manufactureTpm({ vendor: "NTC", eks: ["ecc"], home, faults: [{ kind: "revoked-ek-cert" }] });
    const serial = parseEkCertificate(ekCert(tpm, "ecc")!).serialNumber.toLowerCase();
    expect(revokedSerials(home, "NTC").has(serial)).to.equal(true);
    const honest = await manufactureTpm({ vendor: "NTC", eks: ["ecc"], home });
    expect(revokedSerials(home, "NTC").has(parseEkCertificate(ekCert(honest, "ecc")!).serialNumber.toLowerCase())).to.equal(false);
  });

  it("no-ek-cert, wrong-vendor-san and foreign-ek-cert", async () => {
    const none = await manufactureTpm({ vendor: "IFX", eks: ["ecc"], home, faults: [{ kind: "no-ek-cert" }] });
    expect(ekCert(none, "ecc")).to.equal(undefined);
    const wrong = await manufactureTpm({ vendor: "IFX", eks: ["ecc"], home, faults: [{ kind: "wrong-vendor-san" }] });
    expect(parseEkCertificate(ekCert(wrong, "ecc")!).manufacturerId).to.not.equal(wrong.runtime.state.identity.manufacturerId);
    const foreign = await manufactureTpm({ vendor: "IFX", eks: ["ecc"], home, faults: [{ kind: "foreign-ek-cert" }] });
    const pki = await loadVendorPki(home, "IFX");
    expect((await verifyEkChain(pki, "ecc", ekCert(foreign, "ecc")!)).valid).to.equal(true);
    expect(spki(parseEkCertificate(ekCert(foreign, "ecc")!).publicKey)).to.not.deep.equal(
      spki(publicKeyOf(deriveEk(foreign.runtime, "ecc"))),
    );
  });

  it("tpm12: answers TPM 2.0 commands as a TPM 1.2 does (TPM_TAG_RSP_COMMAND, TPM_BADTAG)", async () => {
    const tpm = await manufactureTpm({ vendor: "STM", eks: ["ecc"], home, faults: [{ kind: "tpm12" }] });
    const out = Buffer.from(await tpm.execute(Buffer.from("80010000000c000001440000", "hex")));
    expect(out.toString("hex")).to.equal("00c40000000a0000001e");
  });

  it("virtual: reports a hypervisor vTPM's manufacturer and carries no EK certificate", async () => {
    const tpm = await manufactureTpm({ vendor: "IFX", eks: ["rsa", "ecc"], home, faults: [{ kind: "virtual" }] });
    expect(ekCert(tpm, "rsa")).to.equal(undefined);
    const client = new TpmClient((c) => tpm.execute(c));
    await client.run("Startup", { params: { startupType: TPM_SU.CLEAR } });
    const cap = await client.run("GetCapability", { params: { capability: 6, property: TPM_PT.MANUFACTURER, propertyCount: 1 } });
    expect((cap.capabilityData.data as Infer<typeof TPMS_TAGGED_PROPERTY>[])[0]!.value).to.equal(0x4d534654);
  });

  it("failure-mode:N: the Nth command after power-on and all later ones fail, but GetCapability still answers", async () => {
    const tpm = TpmEmulator.create();
    tpm.runtime.state.faults = ["failure-mode:3"];
    const client = new TpmClient((c) => tpm.execute(c));
    await client.run("Startup", { params: { startupType: TPM_SU.CLEAR } });
    expect((await client.call("GetRandom", { params: { bytesRequested: 4 } })).rc).to.equal(TPM_RC.SUCCESS);
    expect((await client.call("GetRandom", { params: { bytesRequested: 4 } })).rc).to.equal(TPM_RC.FAILURE);
    expect((await client.call("GetRandom", { params: { bytesRequested: 4 } })).rc).to.equal(TPM_RC.FAILURE);
    const cap = await client.call("GetCapability", { params: { capability: 6, property: TPM_PT.MANUFACTURER, propertyCount: 1 } });
    expect(cap.rc).to.equal(TPM_RC.SUCCESS);
    tpm.reset();
    expect((await client.call("Startup", { params: { startupType: TPM_SU.CLEAR } })).rc).to.equal(TPM_RC.SUCCESS);
  });

  it("slow:MS sets the latency the emulator adds before each response", () => {
    const tpm = TpmEmulator.create();
    expect(tpm.latencyMs).to.equal(0);
    tpm.runtime.state.faults = ["slow:40"];
    expect(tpm.latencyMs).to.equal(40);
  });
});
