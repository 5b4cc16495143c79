/**
 * Cross-validation with swtpm (libtpms): what our tpm2/ library makes, swtpm accepts, and what swtpm makes, our
 * verifier accepts.
 */
import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  AttestVerificationError,
  TPM2B_PUBLIC,
  encodeCredentialFile,
  makeCredential,
  unmarshal,
  verifyQuote,
} from "../../tpm2/index.js";
import { runTool } from "./support/run-tool.js";
import { startSwtpm, type SwtpmInstance } from "./support/swtpm.js";
import { requireTool } from "./support/tools.js";

describe("interop: cross-validation with swtpm", function () {
  this.timeout(120_000);
  let swtpm: SwtpmInstance;
  let dir: string;
  const tool = async (cmd: string, ...args: string[]) => {
    const r = await runTool(cmd, args, { tcti: swtpm.tcti, cwd: dir });
    expect(r.code, `${cmd} ${args.join(" ")}: ${r.stderr}`).to.equal(0);
    await runTool("tpm2_flushcontext", ["-t"], { tcti: swtpm.tcti, cwd: dir });
    return r;
  };

  before(async function () {
    requireTool(this, ["swtpm", "tpm2_createek", "tpm2_activatecredential", "tpm2_quote"]);
    swtpm = await startSwtpm();
    dir = mkdtempSync(path.join(tmpdir(), "apsim-xval-"));
  });
  after(async () => {
    await swtpm?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const kind of ["rsa", "ecc"] as const) {
    it(`a credential made by our MakeCredential for swtpm's ${kind.toUpperCase()} EK activates on swtpm`, async () => {
      await tool("tpm2_createek", "-c", `ek_${kind}.ctx`, "-G", kind, "-u", `ek_${kind}.pub`);
      await tool(
        "tpm2_createak", "-C", `ek_${kind}.ctx`, "-c", `ak_${kind}.ctx`, "-G", kind, "-g", "sha256",
        "-s", kind === "rsa" ? "rsassa" : "ecdsa", "-u", `ak_${kind}.pub`, "-n", `ak_${kind}.name`, "-r", `ak_${kind}.priv`,
      );
      const ekPublic = unmarshal(TPM2B_PUBLIC, readFileSync(path.join(dir, `ek_${kind}.pub`)));
      const secret = Buffer.from(`a secret for the ${kind} AK, 32b`.padEnd(32, "."));
      const blob = makeCredential({ ekPublic, objectName: readFileSync(path.join(dir, `ak_${kind}.name`)), credential: secret });
      writeFileSync(path.join(dir, `cred_${kind}.bin`), encodeCredentialFile(blob));
      await tool("tpm2_startauthsession", "--policy-session", "-S", `pol_${kind}.ctx`);
      await tool("tpm2_policysecret", "-S", `pol_${kind}.ctx`, "-c", "e");
      await tool(
        "tpm2_activatecredential", "-c", `ak_${kind}.ctx`, "-C", `ek_${kind}.ctx`, "-i", `cred_${kind}.bin`,
        "-o", `out_${kind}.bin`, "-P", `session:pol_${kind}.ctx`,
      );
      expect(readFileSync(path.join(dir, `out_${kind}.bin`))).to.deep.equal(secret);
    });

    it(`a quote swtpm makes now with its ${kind.toUpperCase()} AK verifies with our verifier, and a wrong nonce does not`, async () => {
      await tool(
        "tpm2_quote", "-c", `ak_${kind}.ctx`, "-l", "sha256:0,1,2,3,4,5,6,7", "-q", "0011223344556677",
        "-m", `q_${kind}.msg`, "-s", `q_${kind}.sig`, "-g", "sha256",
      );
      const akPublic = unmarshal(TPM2B_PUBLIC, readFileSync(path.join(dir, `ak_${kind}.pub`)));
      const attest = readFileSync(path.join(dir, `q_${kind}.msg`));
      const signature = readFileSync(path.join(dir, `q_${kind}.sig`));
      const ok = verifyQuote({ akPublic, attest, signature, nonce: Buffer.from("0011223344556677", "hex") });
      expect(ok.quote.pcrSelect[0]!.pcrSelect).to.deep.equal(Buffer.from([0xff, 0, 0]));
      expect(() => verifyQuote({ akPublic, attest, signature, nonce: Buffer.from("0011223344556678", "hex") })).to.throw(
        AttestVerificationError,
      );
    });
  }
});
