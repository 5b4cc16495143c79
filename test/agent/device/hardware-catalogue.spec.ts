import { expect } from "chai";
import { HARDWARE_CATALOGUE, findHardwareModel, modelsForVendor } from "../../../agent/index.js";
import { VENDOR_PROFILES } from "../../../tpm-emulator/index.js";

const PRINTABLE = /^[\x20-\x7e]*$/;

describe("agent/device/hardware-catalogue", () => {
  it("has unique ids and only vendor codes the emulator can manufacture", () => {
    const ids = HARDWARE_CATALOGUE.map((m) => m.id);
    expect(new Set(ids).size).to.equal(ids.length);
    const known = VENDOR_PROFILES.map((p) => p.code);
    for (const m of HARDWARE_CATALOGUE) {
      if (m.tpm.kind === "tpm20" || m.tpm.kind === "tpm12") {
        expect(m.tpm.vendors.length, m.id).to.be.greaterThan(0);
        for (const v of m.tpm.vendors) expect(known, `${m.id} ${v}`).to.include(v);
      }
    }
  });

  it("holds only values the hash can carry (printable ASCII, brand strings within CPUID's 48 bytes)", () => {
    for (const m of HARDWARE_CATALOGUE) {
      const strings = [...Object.values(m.smbios).filter((v) => typeof v === "string"), ...m.smbios.skus, ...Object.values(m.smbios.baseboard)];
      for (const s of strings) expect(s, m.id).to.match(PRINTABLE);
      for (const cpu of m.cpu.options) {
        expect(cpu.brand.length, m.id).to.be.below(48);
        expect(cpu.logicalProcessors, m.id).to.be.at.least(cpu.cores);
      }
      for (const nic of m.nics) expect(nic.oui, m.id).to.match(/^[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}$/);
      for (const disk of m.disk.options) expect(`${disk.model}${disk.vendor}`, m.id).to.not.include("|");
      expect(m.memory.optionsGb.every((gb) => gb <= m.memory.maxCapacityGb), m.id).to.equal(true);
    }
  });

  it("has the edge models on purpose: no TPM, TPM 1.2, a virtual machine, Windows 11 SE", () => {
    const edges = HARDWARE_CATALOGUE.filter((m) => m.edge);
    expect(edges.map((m) => m.tpm.kind)).to.include.members(["none", "tpm12", "virtual"]);
    const vm = edges.find((m) => m.tpm.kind === "virtual")!;
    expect(vm.chassis.virtualMachine).to.equal(true);
    expect(vm.productKeyPartNumber).to.equal(undefined);
    expect(edges.flatMap((m) => m.os.map((os) => os.editionId))).to.include("CloudEdition");
    expect(HARDWARE_CATALOGUE.filter((m) => !m.edge).every((m) => m.tpm.kind === "tpm20" && !m.chassis.virtualMachine)).to.equal(true);
  });

  it("finds models by id and the ordinary models that take a vendor's TPM", () => {
    expect(findHardwareModel("hyperv-vm")?.tpm.kind).to.equal("virtual");
    expect(findHardwareModel("no-such-model")).to.equal(undefined);
    for (const { code } of VENDOR_PROFILES) {
      const models = modelsForVendor(code.toLowerCase());
      expect(models.length, code).to.be.greaterThan(0);
      expect(models.every((m) => !m.edge && m.tpm.kind === "tpm20" && m.tpm.vendors.includes(code)), code).to.equal(true);
    }
    expect(modelsForVendor("AMD").every((m) => m.cpu.vendor === "AuthenticAMD")).to.equal(true);
    expect(modelsForVendor("QCOM").every((m) => m.cpu.architecture === 12)).to.equal(true);
  });
});
