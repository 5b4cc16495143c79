import { expect } from "chai";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { connect, createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { runTool } from "./support/run-tool.js";
import { startSwtpm, type SwtpmInstance } from "./support/swtpm.js";
import { freePort, requireTool } from "./support/tools.js";

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

describe("interop harness", function () {
  describe("freePort", function () {
    it("returns a loopback port that can be bound, with port+1 free as well", async function () {
      const port = await freePort();
      expect(port).to.be.within(1024, 65534);
      expect(await bindable(port)).to.equal(true);
      expect(await bindable(port + 1)).to.equal(true);
    });
  });

  describe("requireTool", function () {
    const saved = process.env["REQUIRE_INTEROP"];
    afterEach(function () {
      if (saved === undefined) delete process.env["REQUIRE_INTEROP"];
      else process.env["REQUIRE_INTEROP"] = saved;
    });

    function fakeContext(): { ctx: Mocha.Context; skipped: () => boolean } {
      let skipped = false;
      const ctx = {
        skip(): never {
          skipped = true;
          throw new Error("skipped");
        },
      } as unknown as Mocha.Context;
      return { ctx, skipped: () => skipped };
    }

    it("does nothing when every tool is on PATH", function () {
      const { ctx, skipped } = fakeContext();
      requireTool(ctx, ["node"]);
      expect(skipped()).to.equal(false);
    });

    it("skips when a tool is missing and REQUIRE_INTEROP is not set", function () {
      delete process.env["REQUIRE_INTEROP"];
      const { ctx, skipped } = fakeContext();
      expect(() => requireTool(ctx, ["node", "apsim-no-such-tool"])).to.throw("skipped");
      expect(skipped()).to.equal(true);
    });

    it("fails, naming the missing tool, when REQUIRE_INTEROP=1", function () {
      process.env["REQUIRE_INTEROP"] = "1";
      const { ctx, skipped } = fakeContext();
      expect(() => requireTool(ctx, ["apsim-no-such-tool"])).to.throw(/apsim-no-such-tool/);
      expect(skipped()).to.equal(false);
    });
  });

  describe("swtpm + tpm2-tools", function () {
    let tpm: SwtpmInstance | undefined;
    let workDir: string | undefined;

    before(async function () {
      requireTool(this, ["swtpm", "tpm2_getrandom", "tpm2_createek"]);
      tpm = await startSwtpm();
      workDir = mkdtempSync(path.join(os.tmpdir(), "apsim-harness-"));
    });

    after(async function () {
      await tpm?.stop();
      if (workDir !== undefined) rmSync(workDir, { recursive: true, force: true });
    });

    it("starts swtpm listening on its data and control ports with a private state directory", async function () {
      if (tpm === undefined) this.skip();
      expect(tpm.ctrlPort).to.equal(tpm.port + 1);
      expect(tpm.tcti).to.equal(`swtpm:host=127.0.0.1,port=${tpm.port}`);
      expect(await accepts(tpm.port)).to.equal(true);
      expect(await accepts(tpm.ctrlPort)).to.equal(true);
    });

    it("serves tpm2_getrandom --hex 8", async function () {
      if (tpm === undefined || workDir === undefined) this.skip();
      const result = await runTool("tpm2_getrandom", ["--hex", "8"], { tcti: tpm.tcti, cwd: workDir });
      expect(result.stderr).to.equal("");
      expect(result.code).to.equal(0);
      expect(result.stdout.trim()).to.match(/^[0-9a-f]{16}$/);
    });

    it("serves tpm2_createek -G ecc and writes an ECC P-256 EK public area", async function () {
      if (tpm === undefined || workDir === undefined) this.skip();
      const result = await runTool("tpm2_createek", ["-G", "ecc", "-c", "ek.ctx", "-u", "ek.pub"], {
        tcti: tpm.tcti,
        cwd: workDir,
      });
      expect(result.code, result.stderr).to.equal(0);
      const pub = readFileSync(path.join(workDir, "ek.pub"));
      expect(pub.readUInt16BE(0)).to.equal(pub.length - 2);
      expect(pub.readUInt16BE(2)).to.equal(0x0023); // TPM_ALG_ECC
      expect(pub.readUInt16BE(4)).to.equal(0x000b); // nameAlg TPM_ALG_SHA256
    });

    it("reports a failing tool through its exit code instead of throwing", async function () {
      if (tpm === undefined || workDir === undefined) this.skip();
      const result = await runTool("tpm2_createek", ["-G", "no-such-alg", "-c", "x.ctx"], {
        tcti: tpm.tcti,
        cwd: workDir,
      });
      expect(result.code).to.be.a("number").and.not.equal(0);
      expect(result.stderr).to.not.equal("");
    });

    it("stop() ends swtpm and removes its state directory", async function () {
      if (tpm === undefined) this.skip();
      const { port, stateDir } = tpm;
      expect(existsSync(stateDir)).to.equal(true);
      await tpm.stop();
      await tpm.stop();
      expect(existsSync(stateDir)).to.equal(false);
      expect(await accepts(port)).to.equal(false);
      tpm = undefined;
    });
  });
});
