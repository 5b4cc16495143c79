import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { TpmConnectionError, TpmDevice, openDeviceFile, type TpmDevice as Device } from "../../../agent/index.js";
import { EK_CERT_NV_INDEX, TPM_ALG, TPM_PT, TPM_RH, ekTemplateEcc, publicKeyOf } from "../../../tpm2/index.js";
import { TpmEmulator, deriveEk, manufactureTpm, serveTpm, type TpmProtocol, type TpmServer } from "../../../tpm-emulator/index.js";
import { startSwtpm } from "../../interop/support/swtpm.js";
import { requireTool } from "../../interop/support/tools.js";

const ALL_SHA256_PCRS = [{ hash: TPM_ALG.SHA256, pcrSelect: Buffer.from([0xff, 0xff, 0xff]) }];

/** What every transport must carry: properties, a primary key, a chunked NV read, a looped PCR read. */
async function exercise(device: Device, emulator: TpmEmulator | undefined): Promise<void> {
  const properties = await device.fixedProperties();
  if (emulator) expect(properties.get(TPM_PT.MANUFACTURER)).to.equal(emulator.runtime.state.identity.manufacturerId);
  const ek = await device.createPrimary(TPM_RH.ENDORSEMENT, ekTemplateEcc());
  if (emulator) {
    expect(publicKeyOf(ek.public).export({ type: "spki", format: "der" })).to.deep.equal(
      publicKeyOf(deriveEk(emulator.runtime, "ecc")).export({ type: "spki", format: "der" }),
    );
    const nv = await device.nvPublic(EK_CERT_NV_INDEX.ecc);
    expect(await device.readNv(nv!, 100)).to.deep.equal(emulator.runtime.nvIndex(EK_CERT_NV_INDEX.ecc)!.data);
  }
  expect(await device.nvPublic(0x01c0ff00)).to.equal(undefined);
  const pcrs = await device.readPcrs(ALL_SHA256_PCRS);
  expect(pcrs.map((p) => p.index)).to.deep.equal([...Array(24).keys()]);
  expect(pcrs.every((p) => p.value.length === 32)).to.equal(true);
  await device.client.flush(ek.handle);
}

function listenOn(port: number): Promise<Server | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(undefined));
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}

/** A port P where nothing listens on P nor on P + 1 (mssim's platform port): both were just bound and freed. */
async function closedPort(): Promise<number> {
  for (;;) {
    const first = await listenOn(0);
    const port = (first!.address() as { port: number }).port;
    const second = port < 65535 ? await listenOn(port + 1) : undefined;
    await new Promise((resolve) => first!.close(resolve));
    if (second !== undefined) {
      await new Promise((resolve) => second.close(resolve));
      return port;
    }
  }
}

describe("agent/tpm: transports", function () {
  this.timeout(60_000);
  let home: string;
  let state: string;

  before(async () => {
    home = mkdtempSync(path.join(tmpdir(), "apsim-agent-tpm-"));
    state = path.join(home, "tpm");
    await manufactureTpm({ vendor: "STM", eks: ["ecc"], home, seed: Buffer.alloc(32, 3), stateDir: state });
  });
  after(() => rmSync(home, { recursive: true, force: true }));

  it("in-process: opens a state directory, starts the TPM, and carries every command", async () => {
    const device = TpmDevice.open(state);
    try {
      await exercise(device, TpmEmulator.open(state));
    } finally {
      await device.close();
    }
  });

  for (const protocol of ["swtpm", "mssim"] as TpmProtocol[]) {
    describe(`${protocol}:// against the emulator's own server`, () => {
      let server: TpmServer;
      let served: TpmEmulator;
      beforeEach(async () => {
        served = TpmEmulator.open(state);
        server = await serveTpm(served, { protocol });
      });
      afterEach(() => server.close());

      it("carries every command over one connection and reconnects after close", async () => {
        const device = TpmDevice.open(`${protocol}://127.0.0.1:${server.port}`);
        await exercise(device, served);
        await device.close();
        const again = TpmDevice.open(`${protocol}://127.0.0.1:${server.port}`);
        expect((await again.fixedProperties()).size).to.be.greaterThan(30);
        await again.close();
      });

      it("powers a TPM on that is off, then starts it", async () => {
        served.powerOff();
        const device = TpmDevice.open(`${protocol}://127.0.0.1:${server.port}`);
        const out = await device.client.run("GetRandom", { params: { bytesRequested: 16 } });
        expect(out.randomBytes).to.have.length(16);
        expect(served.isPowered).to.equal(true);
        await device.close();
      });

      it("reports TPM_UNREACHABLE when nothing listens", async () => {
        const device = TpmDevice.open(`${protocol}://127.0.0.1:${await closedPort()}`);
        const error = await device.fixedProperties().catch((e: unknown) => e);
        expect(error).to.be.instanceOf(TpmConnectionError).and.to.include({ code: "TPM_UNREACHABLE" });
      });
    });
  }

  it("kernel device: a missing device node is TPM_UNREACHABLE", async () => {
    const connection = openDeviceFile(path.join(home, "tpmrm9"));
    const error = await connection.transport(Buffer.from("80010000000c0000017b0008", "hex")).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(TpmConnectionError).and.to.include({ code: "TPM_UNREACHABLE" });
    await connection.close();
  });

  describe("swtpm:// against a real swtpm", () => {
    it("carries every command, started by swtpm itself (Startup answered TPM_RC_INITIALIZE)", async function () {
      requireTool(this, ["swtpm"]);
      const swtpm = await startSwtpm();
      const device = TpmDevice.open(`swtpm://127.0.0.1:${swtpm.port}`);
      try {
        const properties = await device.fixedProperties();
        expect(properties.get(TPM_PT.MANUFACTURER)).to.equal(0x49424d00);
        await exercise(device, undefined);
      } finally {
        await device.close();
        await swtpm.stop();
      }
    });
  });
});
