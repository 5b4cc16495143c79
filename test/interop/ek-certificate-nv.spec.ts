/** tpm2-tools reads a manufactured TPM's EK certificates from NV, and openssl verifies them against the vendor chain. */
import { expect } from "chai";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { loadVendorPki } from "../../certs/index.js";
import { manufactureTpm, serveTpm, type TpmServer } from "../../tpm-emulator/index.js";
import { runTool } from "./support/run-tool.js";
import { requireTool } from "./support/tools.js";

describe("interop: EK certificates in NV, read by tpm2-tools and verified by openssl", function () {
  this.timeout(120_000);
  let home: string;
  let server: TpmServer | undefined;

  before(function () {
    requireTool(this, ["tpm2_getekcertificate", "tpm2_nvreadpublic", "openssl"]);
    home = mkdtempSync(path.join(tmpdir(), "apsim-ekcert-"));
  });
  after(async () => {
    await server?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it("serves an Infineon TPM whose RSA and ECC EK certificates chain to the simulated vendor roots", async () => {
    const tpm = await manufactureTpm({ vendor: "IFX", eks: ["rsa", "ecc"], home });
    server = await serveTpm(tpm, { protocol: "swtpm", port: 0 });
    const tcti = `swtpm:host=127.0.0.1,port=${server.port}`;
    expect((await runTool("tpm2_startup", ["-c"], { tcti, cwd: home })).code).to.equal(0);
    const pub = await runTool("tpm2_nvreadpublic", [], { tcti, cwd: home });
    expect(pub.stdout).to.match(/0x1c00002:[\s\S]*ppwrite[\s\S]*platformcreate/);
    const got = await runTool("tpm2_getekcertificate", ["-o", "ek_rsa.der", "-o", "ek_ecc.der"], { tcti, cwd: home });
    expect(got.code, got.stderr).to.equal(0);
    const pki = await loadVendorPki(home, "IFX");
    for (const kind of ["rsa", "ecc"] as const) {
      const [issuing, root] = pki.chainFor(kind);
      writeFileSync(path.join(home, `root_${kind}.pem`), root.certificatePem);
      writeFileSync(path.join(home, `issuing_${kind}.pem`), issuing.certificatePem);
      execFileSync("openssl", ["x509", "-inform", "DER", "-in", `ek_${kind}.der`, "-out", `ek_${kind}.pem`], { cwd: home });
      const out = execFileSync(
        "openssl",
        ["verify", "-CAfile", `root_${kind}.pem`, "-untrusted", `issuing_${kind}.pem`, `ek_${kind}.pem`],
        { cwd: home },
      ).toString();
      expect(out).to.contain(`ek_${kind}.pem: OK`);
      const text = execFileSync("openssl", ["x509", "-in", `ek_${kind}.pem`, "-noout", "-text"], { cwd: home }).toString();
      expect(text).to.match(/2\.23\.133\.8\.1/);
      expect(readFileSync(path.join(home, `ek_${kind}.der`)).length).to.be.greaterThan(300);
    }
  });
});
