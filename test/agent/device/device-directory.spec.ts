import { expect } from "chai";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  DEVICE_FILE,
  DEVICE_TPM_DIR,
  DeviceError,
  createDeviceDirectory,
  generateDevice,
  loadDeviceDirectory,
  openDeviceTpm,
  TpmConnectionError,
  type DeviceErrorCode,
} from "../../../agent/index.js";
import { TpmEmulator, stateFilePath } from "../../../tpm-emulator/index.js";

async function errorCode(run: () => Promise<unknown>): Promise<{ code: DeviceErrorCode; message: string } | undefined> {
  try {
    await run();
  } catch (error) {
    if (error instanceof DeviceError) return { code: error.code, message: error.message };
    throw error;
  }
  return undefined;
}

const SEED = Buffer.alloc(32, 0x5e);

/** A description as JSON, to damage field by field. */
interface EditableDescription {
  formatVersion: number;
  smbios: Record<string, unknown>;
  nics: Record<string, unknown>[];
  memory: Record<string, unknown>;
  disk: Record<string, unknown>;
  tpm: Record<string, unknown>;
  productKey: Record<string, unknown>;
}

describe("agent/device/device-directory", function () {
  this.timeout(60_000);
  let home: string;
  before(() => {
    home = mkdtempSync(path.join(tmpdir(), "apsim-device-dir-"));
  });
  after(() => rmSync(home, { recursive: true, force: true }));

  it("writes the description and the TPM state, and reloads the same device", async () => {
    const dir = path.join(home, "hp");
    const made = await createDeviceDirectory({ dir, home, vendor: "IFX", model: "hp-elitebook-840-g10", seed: SEED });
    expect(made.description).to.deep.equal(generateDevice({ seed: SEED, vendor: "IFX", model: "hp-elitebook-840-g10" }));
    expect(readdirSync(dir).sort()).to.deep.equal([DEVICE_FILE, DEVICE_TPM_DIR]);
    const loaded = await loadDeviceDirectory(dir);
    expect(loaded.description).to.deep.equal(made.description);
    expect(TpmEmulator.open(path.join(dir, DEVICE_TPM_DIR)).runtime.state.identity.vendor).to.equal("IFX");
    const tpm = openDeviceTpm(loaded)!;
    try {
      expect((await tpm.fixedProperties()).size).to.be.greaterThan(10);
    } finally {
      await tpm.close();
    }
  });

  it("makes the emulated TPM look like the model's part: a 1.2 part, a virtual TPM, none at all", async () => {
    const tpm12 = await createDeviceDirectory({ dir: path.join(home, "g2"), home, vendor: "IFX", model: "hp-elitebook-840-g2-tpm12", seed: SEED });
    expect(TpmEmulator.open(path.join(tpm12.dir, DEVICE_TPM_DIR)).runtime.state.faults).to.deep.equal(["tpm12"]);
    const vm = await createDeviceDirectory({ dir: path.join(home, "vm"), home, vendor: "STM", model: "hyperv-vm", seed: SEED });
    const vmTpm = TpmEmulator.open(path.join(vm.dir, DEVICE_TPM_DIR)).runtime.state;
    expect(vmTpm.faults).to.deep.equal(["virtual"]);
    expect(vmTpm.identity.vendor).to.equal("MSFT");
    const none = await createDeviceDirectory({ dir: path.join(home, "none"), home, vendor: "IFX", model: "custom-desktop-no-tpm", seed: SEED });
    expect(readdirSync(none.dir)).to.deep.equal([DEVICE_FILE]);
    expect(openDeviceTpm(await loadDeviceDirectory(none.dir))).to.equal(undefined);
  });

  it("refuses to overwrite a device, and leaves the existing one intact", async () => {
    const dir = path.join(home, "twice");
    await createDeviceDirectory({ dir, home, vendor: "NTC", model: "dell-optiplex-7010", seed: SEED });
    const before = readFileSync(path.join(dir, DEVICE_FILE));
    const error = await errorCode(() => createDeviceDirectory({ dir, home, vendor: "IFX", seed: Buffer.alloc(32, 1) }));
    expect(error?.code).to.equal("DEVICE_EXISTS");
    expect(readFileSync(path.join(dir, DEVICE_FILE))).to.deep.equal(before);
  });

  it("writes nothing when the model or vendor is refused", async () => {
    const dir = path.join(home, "refused");
    expect((await errorCode(() => createDeviceDirectory({ dir, home, vendor: "AMD", model: "dell-latitude-7440" })))?.code).to.equal(
      "DEVICE_VENDOR_UNSUPPORTED",
    );
    expect(existsSync(dir)).to.equal(false);
  });

  describe("a damaged directory gives a clear error", () => {
    let dir: string;
    let text: string;
    before(async () => {
      dir = path.join(home, "damaged");
      await createDeviceDirectory({ dir, home, vendor: "IFX", model: "hp-elitebook-840-g10", seed: SEED });
      text = readFileSync(path.join(dir, DEVICE_FILE), "utf8");
    });
    afterEach(() => writeFileSync(path.join(dir, DEVICE_FILE), text));

    const damage = async (content: string) => {
      writeFileSync(path.join(dir, DEVICE_FILE), content);
      return errorCode(() => loadDeviceDirectory(dir));
    };
    const edited = (edit: (json: EditableDescription) => void) => {
      const json = JSON.parse(text) as EditableDescription;
      edit(json);
      return JSON.stringify(json);
    };

    it("no directory or no description: DEVICE_NOT_FOUND", async () => {
      expect((await errorCode(() => loadDeviceDirectory(path.join(home, "absent"))))?.code).to.equal("DEVICE_NOT_FOUND");
    });

    it("truncated or not JSON: DEVICE_DESCRIPTION_CORRUPT", async () => {
      expect((await damage(text.slice(0, text.length / 2)))?.code).to.equal("DEVICE_DESCRIPTION_CORRUPT");
      expect((await damage(""))?.code).to.equal("DEVICE_DESCRIPTION_CORRUPT");
      expect((await damage("[]"))?.code).to.equal("DEVICE_DESCRIPTION_CORRUPT");
    });

    it("a missing or mistyped field: DEVICE_DESCRIPTION_CORRUPT naming the field", async () => {
      const cases: [(json: EditableDescription) => void, string][] = [
        [(j) => delete j.smbios.serialNumber, "smbios.serialNumber"],
        [(j) => (j.smbios.uuid = "not-a-uuid"), "smbios.uuid"],
        [(j) => (j.nics[1]!.mac = "zz:00:00:00:00:00"), "nics[1].mac"],
        [(j) => (j.memory.totalGb = -4), "memory.totalGb"],
        [(j) => (j.smbios.productName = "Caf\u00e9"), "smbios.productName"],
        [(j) => (j.disk.model = "a|b"), "disk.model"],
        [(j) => (j.tpm.kind = "tpm3"), "tpm.kind"],
        [(j) => (j.productKey.id = "12"), "productKey.id"],
      ];
      for (const [edit, field] of cases) {
        const error = await damage(edited(edit));
        expect(error?.code, field).to.equal("DEVICE_DESCRIPTION_CORRUPT");
        expect(error?.message, field).to.include(`field ${field}:`);
      }
    });

    it("a newer format: DEVICE_DESCRIPTION_VERSION", async () => {
      expect((await damage(edited((j) => (j.formatVersion = 2))))?.code).to.equal("DEVICE_DESCRIPTION_VERSION");
    });

    it("a TPM device whose TPM state is gone: DEVICE_TPM_MISSING", async () => {
      const noTpmDir = path.join(home, "lost-tpm");
      await createDeviceDirectory({ dir: noTpmDir, home, vendor: "IFX", model: "hp-elitebook-840-g10", seed: SEED });
      rmSync(path.join(noTpmDir, DEVICE_TPM_DIR), { recursive: true });
      expect((await errorCode(() => loadDeviceDirectory(noTpmDir)))?.code).to.equal("DEVICE_TPM_MISSING");
    });

    it("a damaged TPM state: the TPM client's TPM_UNREACHABLE when the TPM is opened", async () => {
      const stateFile = stateFilePath(path.join(dir, DEVICE_TPM_DIR));
      const state = readFileSync(stateFile);
      try {
        writeFileSync(stateFile, state.subarray(0, 20));
        const device = await loadDeviceDirectory(dir);
        expect(() => openDeviceTpm(device)).to.throw(TpmConnectionError).with.property("code", "TPM_UNREACHABLE");
      } finally {
        writeFileSync(stateFile, state);
      }
    });
  });
});
