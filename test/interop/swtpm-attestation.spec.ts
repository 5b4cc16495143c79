/**
 * swtpm as the device's TPM: its EK certificate issued by our simulated IBM vendor CA (`apsim pki issue-ek-cert`)
 * and written to its NV with tpm2-tools, then attested by the agent over swtpm:// — libtpms evidence is accepted
 * as the emulator's is when the service allows software TPMs, and refused with TPM_NOT_SUPPORTED otherwise.
 */
import { expect } from "chai";
import { execFile } from "node:child_process";
import { X509Certificate, type KeyObject } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Dispatcher } from "undici";
import { TpmDevice, attestDevice, windowsAkTemplate, type AkKind, type AttestationOutcome, type StepEvent } from "../../agent/index.js";
import { startServices, type RunningServices } from "../../attestation-service/index.js";
import { formatTpmId, loadTlsTrust, loadVendorPki, parseAikCertificate, parseEkCertificate, readEkPublicKey, x509 } from "../../certs/index.js";
import { createHttpsAgent } from "../../lib/index.js";
import { ATTESTATION_PATHS } from "../../protocol/index.js";
import { TPM_RH, publicKeyOf } from "../../tpm2/index.js";
import { runTool, type ToolResult } from "./support/run-tool.js";
import { startSwtpm, type SwtpmInstance } from "./support/swtpm.js";
import { requireTool } from "./support/tools.js";

const MAIN = fileURLToPath(new URL("../../cli/main.ts", import.meta.url));

/** TCG vendor ID of IBM, the manufacturer libtpms reports in TPM_PT_MANUFACTURER. */
const IBM_MANUFACTURER_ID = 0x49424d00;

const FLOW = ["tpmProperties", "endorsementKey", "ekCertificate", "attestationKey", "challenge", "activateCredential", "quote", "proof", "aikCertificate"];

/** How each case writes its EK certificate to NV (TCG EK Credential Profile §2.2.1.4/§2.2.1.5 indices). */
interface NvLayout {
  readonly index: string;
  readonly hierarchy: "p" | "o";
  readonly attributes: string;
}

const CASES: readonly { kind: AkKind; nv: NvLayout; why: string }[] = [
  {
    kind: "rsa",
    // As manufacturers (and swtpm_setup) define it: platform-created, written once under platform auth.
    nv: { index: "0x01C00002", hierarchy: "p", attributes: "ppwrite|writedefine|ppread|ownerread|authread|no_da|platformcreate" },
    why: "platform-created as on real TPMs",
  },
  {
    kind: "ecc",
    nv: { index: "0x01C0000A", hierarchy: "o", attributes: "ownerread|ownerwrite|authread|authwrite|no_da" },
    why: "owner-created",
  },
];

function expectSuccess(result: ToolResult, what: string): void {
  expect(result.code, `${what}: ${result.stderr}`).to.equal(0);
}

/** Runs the apsim CLI with `--home` after the subcommand; rejects with its stderr on a non-zero exit. */
function apsim(args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ["--import", "tsx", MAIN, ...args], { timeout: 120_000 }, (error, stdout, stderr) => {
      if (error === null) resolve(stdout);
      else reject(new Error(`apsim ${args.join(" ")}: ${stderr || error.message}`));
    });
  });
}

/** What provisioning left in the working directory: the EK public (TPM2B_PUBLIC) and the certificate read back from NV. */
interface Provisioned {
  readonly ekPublic: Buffer;
  readonly nvCertificate: Buffer;
}

/**
 * tpm2_createek, an EK certificate for it from our IBM vendor CA, NV define + write at the EK certificate
 * index, and no transient object left behind (each tool run leaves its objects in swtpm).
 */
async function provisionEkCertificate(swtpm: SwtpmInstance, kind: AkKind, nv: NvLayout, home: string, cwd: string): Promise<Provisioned> {
  const tool = (cmd: string, args: readonly string[]): Promise<ToolResult> => runTool(cmd, args, { tcti: swtpm.tcti, cwd });
  expectSuccess(await tool("tpm2_createek", ["-c", "ek.ctx", "-G", kind, "-u", "ek.pub"]), "tpm2_createek");
  await apsim(["pki", "issue-ek-cert", "--vendor", "IBM", "--ek-pub", path.join(cwd, "ek.pub"), "--out", path.join(cwd, "ek.der"), "--home", home]);
  const size = statSync(path.join(cwd, "ek.der")).size;
  expectSuccess(await tool("tpm2_nvdefine", [nv.index, "-C", nv.hierarchy, "-s", String(size), "-a", nv.attributes]), "tpm2_nvdefine");
  expectSuccess(await tool("tpm2_nvwrite", [nv.index, "-C", nv.hierarchy, "-i", "ek.der"]), "tpm2_nvwrite");
  expectSuccess(await tool("tpm2_flushcontext", ["-t"]), "tpm2_flushcontext");
  expect(await transientHandles(swtpm, cwd)).to.equal("");
  expectSuccess(await tool("tpm2_nvread", [nv.index, "-C", nv.hierarchy, "-o", "ek-nv.der"]), "tpm2_nvread");
  return { ekPublic: readFileSync(path.join(cwd, "ek.pub")), nvCertificate: readFileSync(path.join(cwd, "ek-nv.der")) };
}

async function transientHandles(swtpm: SwtpmInstance, cwd: string): Promise<string> {
  const result = await runTool("tpm2_getcap", ["handles-transient"], { tcti: swtpm.tcti, cwd });
  expectSuccess(result, "tpm2_getcap handles-transient");
  return result.stdout.trim();
}

/** An attestation with the HTTP requests it sent, its step events and the retry waits it asked for. */
interface AttestRun {
  readonly outcome: AttestationOutcome;
  readonly requests: readonly string[];
  readonly events: readonly StepEvent[];
  readonly delays: readonly number[];
}

/** An HTTPS dispatcher that records `METHOD path` of every request it sends. */
function countingDispatcher(ca: string): { dispatcher: Dispatcher; requests: string[]; close: () => Promise<void> } {
  const base = createHttpsAgent({ ca });
  const requests: string[] = [];
  const dispatcher = base.compose((dispatch) => (options, handler) => {
    requests.push(`${options.method} ${options.path}`);
    return dispatch(options, handler);
  });
  return { dispatcher, requests, close: () => base.close() };
}

describe("interop: swtpm attested end to end with an EK certificate from the simulated IBM CA", function () {
  this.timeout(180_000);
  let home: string;
  let ca: string;
  let allowing: RunningServices | undefined;
  let refusing: RunningServices | undefined;

  before(async function () {
    requireTool(this, ["swtpm", "tpm2_createek", "tpm2_nvdefine", "tpm2_nvwrite", "tpm2_nvread", "tpm2_flushcontext", "tpm2_getcap"]);
    home = mkdtempSync(path.join(tmpdir(), "apsim-swtpm-attest-"));
    allowing = await startServices({ home, port: 0, allowSoftwareTpm: true });
    refusing = await startServices({ home, port: 0, db: ":memory:" });
    ca = await loadTlsTrust(home);
  });
  after(async () => {
    await allowing?.close();
    await refusing?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  for (const { kind, nv, why } of CASES) {
    describe(`${kind.toUpperCase()} EK, certificate at NV ${nv.index} (${why})`, function () {
      let swtpm: SwtpmInstance | undefined;
      let workDir: string | undefined;
      let provisioned: Provisioned;

      before(async () => {
        workDir = mkdtempSync(path.join(tmpdir(), "apsim-swtpm-ek-"));
        swtpm = await startSwtpm();
        provisioned = await provisionEkCertificate(swtpm, kind, nv, home, workDir);
      });
      after(async () => {
        await swtpm?.stop();
        if (workDir) rmSync(workDir, { recursive: true, force: true });
      });

      /** attestDevice with the EK kind chosen as Windows does ("auto": the one whose certificate NV holds). */
      async function attest(services: RunningServices, akUnique: Buffer): Promise<AttestRun> {
        const counting = countingDispatcher(ca);
        const events: StepEvent[] = [];
        const delays: number[] = [];
        try {
          const outcome = await attestDevice({
            tpm: `swtpm://127.0.0.1:${swtpm!.port}`,
            serverUrl: services.url,
            dispatcher: counting.dispatcher,
            ak: kind,
            akUnique,
            retry: { seed: 1, delay: (ms) => (delays.push(ms), Promise.resolve()) },
            onStep: (event) => events.push(event),
          });
          return { outcome, requests: counting.requests, events, delays };
        } finally {
          await counting.close();
        }
      }

      it("NV holds our certificate of swtpm's EK: IBM's, issued by the simulated IBM CA", async () => {
        const parsed = parseEkCertificate(provisioned.nvCertificate);
        expect(parsed).to.include({ manufacturerId: IBM_MANUFACTURER_ID, model: "swtpm", kind });
        const ek = readEkPublicKey(provisioned.ekPublic);
        expect(parsed.publicKey.export({ format: "der", type: "spki" })).to.deep.equal(ek.export({ format: "der", type: "spki" }));
        const [issuing] = (await loadVendorPki(home, "IBM")).chainFor(kind);
        const certificate = new X509Certificate(provisioned.nvCertificate);
        const issuer = new X509Certificate(issuing.certificatePem);
        expect(certificate.checkIssued(issuer)).to.equal(true);
        expect(certificate.verify(issuer.publicKey)).to.equal(true);
      });

      it("with --allow-software-tpm the libtpms evidence earns an AIK certificate for the AK swtpm holds", async () => {
        const akUnique = Buffer.alloc(20, kind === "rsa" ? 0x5a : 0xa5);
        const { outcome, events, delays } = await attest(allowing!, akUnique);
        expect(outcome, JSON.stringify(outcome)).to.include({ ok: true, code: "OK", hresult: "0x00000000" });
        expect(outcome.steps.map((s) => s.name)).to.deep.equal(FLOW);
        expect(outcome.steps.filter((s) => s.status !== "ok")).to.deep.equal([]);
        expect(delays).to.deep.equal([]);
        const ekStep = events.find((e) => e.name === "ekCertificate");
        expect(ekStep?.detail).to.match(new RegExp(`NV index 0x${Number(nv.index).toString(16)}`));

        const aik = parseAikCertificate(new x509.X509Certificate(outcome.akCertificate!));
        expect(formatTpmId(aik.tpm.manufacturerId)).to.equal("id:49424D00");
        expect(aik.tpm.manufacturerId).to.equal(IBM_MANUFACTURER_ID);
        expect(aik.kind).to.equal(kind);
        expect(aik.violations).to.deep.equal([]);

        // The AK is a primary under the owner hierarchy: the same template and unique give swtpm's same key.
        expect(await transientHandles(swtpm!, workDir!)).to.equal("");
        const device = TpmDevice.open(`swtpm://127.0.0.1:${swtpm!.port}`);
        try {
          const ak = await device.createPrimary(TPM_RH.OWNER, windowsAkTemplate(kind, akUnique));
          await device.flushQuietly(ak.handle);
          const spki = (key: KeyObject): Buffer => key.export({ format: "der", type: "spki" });
          expect(spki(aik.publicKey).equals(spki(publicKeyOf(ak.public)))).to.equal(true);
        } finally {
          await device.close();
        }
      });

      it("without --allow-software-tpm the same swtpm is refused once: TPM_NOT_SUPPORTED, 0x800705b4, no retry", async () => {
        const { outcome, requests, delays } = await attest(refusing!, Buffer.alloc(20, 0x33));
        expect(outcome).to.include({ ok: false, code: "TPM_NOT_SUPPORTED", hresult: "0x800705b4", akCertificate: null });
        expect(outcome.steps.map((s) => `${s.name}:${s.status}`)).to.deep.equal([
          "tpmProperties:ok",
          "endorsementKey:ok",
          "ekCertificate:ok",
          "attestationKey:ok",
          "challenge:failed",
        ]);
        const posts = requests.filter((r) => r.startsWith("POST "));
        expect(posts).to.deep.equal([`POST /${ATTESTATION_PATHS.challenge}`]);
        expect(delays).to.deep.equal([]);
        expect(await transientHandles(swtpm!, workDir!)).to.equal("");
      });
    });
  }
});
