/**
 * A second independent client: Debian's python3-tpm2-pytss (ESAPI over the TSS swtpm TCTI) runs the same flow
 * against the emulator and against swtpm, and both give the same outcomes.
 */
import { expect } from "chai";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { TpmEmulator, serveTpm } from "../../tpm-emulator/index.js";
import { startSwtpm } from "./support/swtpm.js";
import { requireTool } from "./support/tools.js";

// Debian's package is for the system interpreter; a python3 earlier on PATH (pyenv) does not see it
const PYTHON = "/usr/bin/python3";
const FLOW = fileURLToPath(new URL("./python/esapi_flow.py", import.meta.url));

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile(PYTHON, args, { timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );
}

describe("interop: tpm2-pytss (ESAPI) against the emulator and swtpm", function () {
  this.timeout(120_000);

  before(async function () {
    requireTool(this, ["swtpm"]);
    const probe = await run(["-c", "import tpm2_pytss"]);
    if (probe.code !== 0) {
      const reason = "interop: python3-tpm2-pytss is not installed for /usr/bin/python3 (see .ci/run)";
      if (process.env["REQUIRE_INTEROP"] === "1") throw new Error(`${reason}; REQUIRE_INTEROP=1 forbids skipping`);
      process.stderr.write(`skipping: ${reason}\n`);
      this.skip();
    }
  });

  it("creates a primary, quotes and uses a salted, encrypting session with the same outcome on both TPMs", async () => {
    const swtpm = await startSwtpm();
    const emulator = TpmEmulator.create({ vendor: "NTC" });
    const server = await serveTpm(emulator, { protocol: "swtpm", port: 0 });
    try {
      const ref = await run([FLOW, swtpm.tcti]);
      expect(ref.code, ref.stderr).to.equal(0);
      const ours = await run([FLOW, `swtpm:host=127.0.0.1,port=${server.port}`]);
      expect(ours.code, ours.stderr).to.equal(0);
      const a = JSON.parse(ref.stdout) as Record<string, unknown>;
      const b = JSON.parse(ours.stdout) as Record<string, unknown>;
      expect(b).to.deep.equal(a);
      expect(b).to.include({ encrypted_hash_ok: true, quote_extra_data: true, encrypted_random: 24 });
    } finally {
      await server.close();
      await swtpm.stop();
    }
  });
});
