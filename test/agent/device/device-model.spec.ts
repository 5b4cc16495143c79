import { expect } from "chai";
import {
  DeviceError,
  HARDWARE_CATALOGUE,
  findHardwareModel,
  generateDevice,
  hardwareHashFields,
  parseDeviceDescription,
  tpmSeedOf,
  type DeviceErrorCode,
} from "../../../agent/index.js";
import { decodeHardwareHash, encodeHardwareHash } from "../../../protocol/index.js";

const SEED_A = Buffer.alloc(32, 0xa1);
const SEED_B = Buffer.alloc(32, 0xb2);

function errorCode(run: () => unknown): DeviceErrorCode | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof DeviceError) return error.code;
    throw error;
  }
  return undefined;
}

function vendorFor(id: string): string {
  const tpm = findHardwareModel(id)!.tpm;
  return tpm.kind === "tpm20" || tpm.kind === "tpm12" ? tpm.vendors[0]! : "IFX";
}

describe("agent/device/device-model", () => {
  it("makes the same device from the same seed, model and vendor", () => {
    const a = generateDevice({ seed: SEED_A, vendor: "IFX", model: "hp-elitebook-840-g10" });
    const b = generateDevice({ seed: Buffer.from(SEED_A), vendor: "ifx", model: "hp-elitebook-840-g10" });
    expect(b).to.deep.equal(a);
    expect(tpmSeedOf(b)).to.deep.equal(tpmSeedOf(a));
    expect(generateDevice({ seed: SEED_A, vendor: "IFX" })).to.deep.equal(generateDevice({ seed: SEED_A, vendor: "IFX" }));
  });

  it("makes a different device from another seed: serial, UUID, MACs, disk serial, product key, TPM seed", () => {
    const a = generateDevice({ seed: SEED_A, vendor: "IFX", model: "hp-elitebook-840-g10" });
    const b = generateDevice({ seed: SEED_B, vendor: "IFX", model: "hp-elitebook-840-g10" });
    expect(b.smbios.serialNumber).to.not.equal(a.smbios.serialNumber);
    expect(b.smbios.uuid).to.not.equal(a.smbios.uuid);
    expect(b.nics.map((n) => n.mac)).to.not.deep.equal(a.nics.map((n) => n.mac));
    expect(b.disk.serialNumber).to.not.equal(a.disk.serialNumber);
    expect(b.productKey!.id).to.not.equal(a.productKey!.id);
    expect(tpmSeedOf(b)).to.not.deep.equal(tpmSeedOf(a));
  });

  it("generates every catalogue model in the shape of its firmware, and the result reads back and encodes", () => {
    for (const model of HARDWARE_CATALOGUE) {
      const device = generateDevice({ seed: SEED_A, vendor: vendorFor(model.id), model: model.id });
      expect(device.model).to.equal(model.id);
      expect(device.smbios.manufacturer).to.equal(model.smbios.manufacturer);
      expect(device.smbios.serialNumber.length, model.id).to.equal(model.smbios.serialFormat.length);
      expect(device.smbios.uuid, model.id).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(device.nics.map((n) => n.mac.slice(0, 8)), model.id).to.deep.equal(model.nics.map((n) => n.oui));
      if (model.productKeyPartNumber === undefined) expect(device.productKey, model.id).to.equal(undefined);
      else expect(device.productKey!.id, model.id).to.match(/^\d{13}$/);
      expect(model.os.map((os) => os.edition)).to.include(device.os.edition);
      expect(parseDeviceDescription(JSON.parse(JSON.stringify(device))), model.id).to.deep.equal(device);
      const hash = encodeHardwareHash(hardwareHashFields(device, {}));
      expect(decodeHardwareHash(hash).fields.smbiosSystemSerialNumber, model.id).to.equal(device.smbios.serialNumber);
    }
  });

  it("gives each edge model its edge: no TPM, TPM 1.2, a virtual machine, Windows 11 SE", () => {
    const noTpm = generateDevice({ seed: SEED_A, vendor: "IFX", model: "custom-desktop-no-tpm" });
    expect(noTpm.tpm).to.deep.equal({ kind: "none" });
    expect(generateDevice({ seed: SEED_A, vendor: "IFX", model: "hp-elitebook-840-g2-tpm12" }).tpm).to.deep.equal({ kind: "tpm12", vendor: "IFX" });
    const vm = generateDevice({ seed: SEED_A, vendor: "STM", model: "hyperv-vm" });
    expect(vm.tpm).to.deep.equal({ kind: "virtual", vendor: "STM" });
    expect(vm.chassis.virtualMachine).to.equal(true);
    expect(vm.productKey).to.equal(undefined);
    expect(vm.disk.serialNumber).to.equal("");
    expect(vm.nics.map((n) => n.bus)).to.deep.equal(["VMBUS"]);
    const se = generateDevice({ seed: SEED_A, vendor: "INTC", model: "surface-laptop-se" });
    expect(se.os).to.include({ edition: "Windows 11 SE", editionId: "CloudEdition" });
  });

  it("picks an ordinary model that takes the vendor's TPM when no model is named", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const device = generateDevice({ seed: Buffer.alloc(16, i), vendor: "AMD" });
      const model = findHardwareModel(device.model)!;
      expect(model.edge).to.equal(false);
      expect(device.tpm).to.deep.equal({ kind: "tpm20", vendor: "AMD" });
      seen.add(device.model);
    }
    expect([...seen]).to.deep.equal(["lenovo-thinkpad-t14s-gen4-amd"]);
    const intel = new Set(Array.from({ length: 40 }, (_, i) => generateDevice({ seed: Buffer.alloc(16, i), vendor: "INTC" }).model));
    expect(intel.size).to.be.greaterThan(1);
  });

  it("refuses an unknown model, a vendor the model has no TPM from, and a seed of the wrong size", () => {
    expect(errorCode(() => generateDevice({ seed: SEED_A, vendor: "IFX", model: "no-such-model" }))).to.equal("DEVICE_MODEL_UNKNOWN");
    expect(errorCode(() => generateDevice({ seed: SEED_A, vendor: "AMD", model: "dell-latitude-7440" }))).to.equal("DEVICE_VENDOR_UNSUPPORTED");
    expect(errorCode(() => generateDevice({ seed: SEED_A, vendor: "XYZ" }))).to.equal("DEVICE_VENDOR_UNSUPPORTED");
    expect(errorCode(() => generateDevice({ seed: Buffer.alloc(15), vendor: "IFX" }))).to.equal("DEVICE_SEED_INVALID");
    expect(errorCode(() => generateDevice({ seed: Buffer.alloc(65), vendor: "IFX" }))).to.equal("DEVICE_SEED_INVALID");
  });
});
