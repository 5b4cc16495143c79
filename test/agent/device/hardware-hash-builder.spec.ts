import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  DEVICE_TPM_DIR,
  HARDWARE_CATALOGUE,
  TpmDevice,
  buildHardwareHash,
  createDeviceDirectory,
  generateDevice,
  hardwareHashOfDirectory,
  readTpmHashFields,
} from "../../../agent/index.js";
import { decodeHardwareHash, ekPubHashOf, validateHardwareHash } from "../../../protocol/index.js";
import { TPM_ALG } from "../../../tpm2/index.js";
import { TpmEmulator, deriveEk, manufactureTpm } from "../../../tpm-emulator/index.js";

const SEED = Buffer.alloc(32, 0x42);

/** What each catalogue model's hash must be flagged with (codes), by model id; ordinary models: nothing. */
const EXPECTED_FINDINGS: Record<string, string[]> = {
  "custom-desktop-no-tpm": ["HASH_TPM_MISSING"],
  "hp-elitebook-840-g2-tpm12": ["HASH_TPM_VERSION_UNSUPPORTED"],
  "hyperv-vm": ["HASH_FIELD_INVALID", "HASH_FIELD_MISSING", "HASH_FIELD_INVALID", "HASH_VIRTUAL_MACHINE"],
};

function vendorFor(id: string): string {
  const tpm = HARDWARE_CATALOGUE.find((m) => m.id === id)!.tpm;
  return tpm.kind === "tpm20" || tpm.kind === "tpm12" ? tpm.vendors.at(-1)! : "NTC";
}

describe("agent/device/hardware-hash-builder", function () {
  this.timeout(120_000);
  let home: string;
  before(() => {
    home = mkdtempSync(path.join(tmpdir(), "apsim-hash-builder-"));
  });
  after(() => rmSync(home, { recursive: true, force: true }));

  for (const model of HARDWARE_CATALOGUE) {
    it(`${model.id}: the hash carries the device, its TPM's EK when it has one, and what oa3tool would flag`, async () => {
      const vendor = vendorFor(model.id);
      const dir = path.join(home, model.id);
      const { description } = await createDeviceDirectory({ dir, home, vendor, model: model.id, seed: SEED });
      const { hash } = await hardwareHashOfDirectory(dir);
      const decoded = decodeHardwareHash(hash.toString("base64"));
      const { fields } = decoded;
      expect(fields.smbiosSystemSerialNumber).to.equal(description.smbios.serialNumber);
      expect(fields.smbiosUuid).to.equal(description.smbios.uuid);
      expect(fields.networkAdapters).to.deep.equal(description.nics);
      expect(fields.osVersion).to.include({ majorVersion: description.os.major, build: description.os.build, revision: description.os.revision });
      expect(validateHardwareHash(decoded).map((f) => f.code)).to.deep.equal(EXPECTED_FINDINGS[model.id] ?? []);

      if (model.tpm.kind === "tpm20" || model.tpm.kind === "virtual") {
        // the EK the emulator derives from its seed, read independently of the TPM client
        const ek = deriveEk(TpmEmulator.open(path.join(dir, DEVICE_TPM_DIR)).runtime, "rsa");
        const modulus = Buffer.from(ek.unique as Uint8Array);
        expect(fields.ekPublic).to.equal(modulus.toString("hex"));
        expect(fields.ekPubHash).to.equal(ekPubHashOf(modulus));
        const vendorId = model.tpm.kind === "virtual" ? "MSFT" : vendor.padEnd(4);
        expect(fields.tpmVersion).to.match(new RegExp(`^TPM-Version:2\\.0 -Level:0-Revision:1\\.\\d\\d-VendorID:'${vendorId}'-Firmware:\\d+\\.\\d+$`));
      } else if (model.tpm.kind === "tpm12") {
        expect(fields.tpmVersion).to.match(/^TPM-Version:1\.2 /);
        expect(fields.ekPublic).to.equal(undefined);
      } else {
        expect(fields.tpmVersion).to.equal(undefined);
      }
    });
  }

  it("gives the same hash for the same seed, model and vendor, made in another home", async () => {
    const other = mkdtempSync(path.join(tmpdir(), "apsim-hash-builder-other-"));
    try {
      const options = { vendor: "STM", model: "dell-latitude-7440", seed: SEED };
      await createDeviceDirectory({ ...options, dir: path.join(home, "same-1"), home });
      await createDeviceDirectory({ ...options, dir: path.join(other, "same-2"), home: other });
      const a = await hardwareHashOfDirectory(path.join(home, "same-1"));
      const b = await hardwareHashOfDirectory(path.join(other, "same-2"));
      expect(b.hash.equals(a.hash)).to.equal(true);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it("reads the version record from the TPM's fixed properties, formatted as Windows writes it", async () => {
    const emulator = await manufactureTpm({ vendor: "INTC", home, seed: SEED, firmware: { major: 600, minor: 18 } });
    const tpm = TpmDevice.fromEmulator(emulator);
    try {
      const fields = await readTpmHashFields(tpm, "INTC");
      const id = emulator.runtime.state.identity;
      expect(fields.tpmVersion).to.equal(
        `TPM-Version:2.0 -Level:0-Revision:1.38-VendorID:'INTC'-Firmware:${id.firmwareVersion1}.${id.firmwareVersion2}`,
      );
      expect(id.firmwareVersion1).to.equal((600 << 16) | 18);
      const ek = deriveEk(emulator.runtime, "rsa");
      expect(ek.type).to.equal(TPM_ALG.RSA);
      expect(fields.ekPublic).to.equal(Buffer.from(ek.unique as Uint8Array).toString("hex"));
    } finally {
      await tpm.close();
    }
  });

  it("builds the hash without TPM records for a device without a TPM even when handed one", async () => {
    const device = generateDevice({ seed: SEED, vendor: "IFX", model: "custom-desktop-no-tpm" });
    const tpm = TpmDevice.fromEmulator(TpmEmulator.create({ vendor: "IFX", seed: SEED }));
    const { fields } = decodeHardwareHash(await buildHardwareHash(device, tpm));
    expect(fields.tpmVersion).to.equal(undefined);
    expect(fields.ekPubHash).to.equal(undefined);
  });
});
