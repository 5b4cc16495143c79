/**
 * tpm2-tools (Debian 5.4, through the TSS swtpm and mssim TCTIs) drives the emulator over its sockets and,
 * as the yardstick, a freshly started swtpm: every step must have the same outcome on both TPMs.
 */
import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { TpmEmulator, serveTpm, type TpmServer } from "../../tpm-emulator/index.js";
import { startAbrmd } from "./support/abrmd.js";
import { runTool, type ToolResult } from "./support/run-tool.js";
import { startSwtpm, type SwtpmInstance } from "./support/swtpm.js";
import { requireTool } from "./support/tools.js";

type Args = (dir: string) => string[];
interface Step {
  label: string;
  tool: string;
  args: string[] | Args;
  /** A misuse that both TPMs must refuse. */
  fails?: boolean;
}

const hexOf = (dir: string, file: string) => readFileSync(path.join(dir, file)).toString("hex");
const step = (label: string, tool: string, args: string[] | Args): Step => ({ label, tool, args });
const misuse = (label: string, tool: string, args: string[] | Args): Step => ({ label, tool, args, fails: true });

/** The Autopilot-style flow: EK, AK, credential activation, PCRs, quotes, NV, keys, persistence, sessions. */
const STEPS: Step[] = [
  step("startup", "tpm2_startup", ["-c"]),
  step("getcap_fixed", "tpm2_getcap", ["properties-fixed"]),
  step("getcap_algorithms", "tpm2_getcap", ["algorithms"]),
  step("getcap_commands", "tpm2_getcap", ["commands"]),
  step("getcap_pcrs", "tpm2_getcap", ["pcrs"]),
  step("getrandom", "tpm2_getrandom", ["-o", "rand.bin", "32"]),
  step("createek_rsa", "tpm2_createek", ["-c", "ek_rsa.ctx", "-G", "rsa", "-u", "ek_rsa.pub"]),
  step("createek_ecc", "tpm2_createek", ["-c", "ek_ecc.ctx", "-G", "ecc", "-u", "ek_ecc.pub"]),
  step("readpublic_ek", "tpm2_readpublic", ["-c", "ek_rsa.ctx", "-o", "ek_rsa.pem", "-f", "pem", "-n", "ek_rsa.name"]),
  step("createak_rsa", "tpm2_createak", "-C ek_rsa.ctx -c ak_rsa.ctx -G rsa -g sha256 -s rsassa -u ak_rsa.pub -n ak_rsa.name -r ak_rsa.priv".split(" ")),
  step("createak_ecc", "tpm2_createak", "-C ek_ecc.ctx -c ak_ecc.ctx -G ecc -g sha256 -s ecdsa -u ak_ecc.pub -n ak_ecc.name -r ak_ecc.priv".split(" ")),
  step("readpublic_ak", "tpm2_readpublic", ["-c", "ak_rsa.ctx", "-o", "ak_rsa.pem", "-f", "pem"]),
  step("makecred_offline", "tpm2_makecredential", (d) => ["-T", "none", "-u", "ek_rsa.pub", "-s", "secret.bin", "-n", hexOf(d, "ak_rsa.name"), "-o", "cred_offline.bin"]),
  step("makecred_tpm", "tpm2_makecredential", (d) => ["-u", "ek_rsa.pub", "-s", "secret.bin", "-n", hexOf(d, "ak_rsa.name"), "-o", "cred_tpm.bin"]),
  step("ekpolicy_session", "tpm2_startauthsession", ["--policy-session", "-S", "ekpol.ctx"]),
  step("ekpolicy_secret", "tpm2_policysecret", ["-S", "ekpol.ctx", "-c", "e"]),
  step("activatecred_rsa", "tpm2_activatecredential", "-c ak_rsa.ctx -C ek_rsa.ctx -i cred_offline.bin -o actcred_rsa.bin -P session:ekpol.ctx".split(" ")),
  step("ekpolicy_flush", "tpm2_flushcontext", ["ekpol.ctx"]),
  step("ekpolicy_session2", "tpm2_startauthsession", ["--policy-session", "-S", "ekpol2.ctx"]),
  step("ekpolicy_secret2", "tpm2_policysecret", ["-S", "ekpol2.ctx", "-c", "e"]),
  step("activatecred_tpm", "tpm2_activatecredential", "-c ak_rsa.ctx -C ek_rsa.ctx -i cred_tpm.bin -o actcred_tpm.bin -P session:ekpol2.ctx".split(" ")),
  step("ekpolicy_flush2", "tpm2_flushcontext", ["ekpol2.ctx"]),
  step("readpublic_ek_ecc", "tpm2_readpublic", ["-c", "ek_ecc.ctx", "-o", "ek_ecc.pem", "-f", "pem"]),
  step("makecred_ecc", "tpm2_makecredential", (d) => ["-T", "none", "-u", "ek_ecc.pem", "-G", "ecc", "-s", "secret.bin", "-n", hexOf(d, "ak_ecc.name"), "-o", "cred_ecc.bin"]),
  step("ekpolicy_session3", "tpm2_startauthsession", ["--policy-session", "-S", "ekpol3.ctx"]),
  step("ekpolicy_secret3", "tpm2_policysecret", ["-S", "ekpol3.ctx", "-c", "e"]),
  step("activatecred_ecc", "tpm2_activatecredential", "-c ak_ecc.ctx -C ek_ecc.ctx -i cred_ecc.bin -o actcred_ecc.bin -P session:ekpol3.ctx".split(" ")),
  step("ekpolicy_flush3", "tpm2_flushcontext", ["ekpol3.ctx"]),
  step("pcrextend", "tpm2_pcrextend", [`16:sha256=${"0".repeat(63)}7`]),
  step("pcrevent", "tpm2_pcrevent", ["16", "secret.bin"]),
  step("pcrread", "tpm2_pcrread", ["sha256:0,1,2,3,4,5,6,7,16", "-o", "pcrs.bin"]),
  step("pcrreset", "tpm2_pcrreset", ["16"]),
  step("pcrread_after_reset", "tpm2_pcrread", ["sha256:16"]),
  step("quote_rsa", "tpm2_quote", "-c ak_rsa.ctx -l sha256:0,1,2,3,4,5,6,7 -q abcdef0123456789 -m quote_rsa.msg -s quote_rsa.sig -o quote_rsa.pcrs -g sha256".split(" ")),
  step("checkquote_rsa", "tpm2_checkquote", "-u ak_rsa.pub -m quote_rsa.msg -s quote_rsa.sig -f quote_rsa.pcrs -g sha256 -q abcdef0123456789".split(" ")),
  step("quote_ecc", "tpm2_quote", "-c ak_ecc.ctx -l sha256:0,1,2,3,4,5,6,7 -q abcdef0123456789 -m quote_ecc.msg -s quote_ecc.sig -o quote_ecc.pcrs -g sha256".split(" ")),
  step("checkquote_ecc", "tpm2_checkquote", "-u ak_ecc.pub -m quote_ecc.msg -s quote_ecc.sig -f quote_ecc.pcrs -g sha256 -q abcdef0123456789".split(" ")),
  step("nvdefine_ekcert_rsa", "tpm2_nvdefine", ["0x01c00002", "-C", "p", "-s", "800", "-a", "ppwrite|ppread|ownerread|authread|no_da|platformcreate"]),
  step("nvwrite_ekcert_rsa", "tpm2_nvwrite", ["0x01c00002", "-C", "p", "-i", "fake_ekcert.der"]),
  step("nvread_ekcert_rsa", "tpm2_nvread", ["0x01c00002", "-C", "o", "-s", "800", "-o", "ekcert_rsa.der"]),
  step("nvdefine_ekcert_ecc", "tpm2_nvdefine", ["0x01c0000a", "-C", "p", "-s", "800", "-a", "ppwrite|ppread|ownerread|authread|no_da|platformcreate"]),
  step("nvwrite_ekcert_ecc", "tpm2_nvwrite", ["0x01c0000a", "-C", "p", "-i", "fake_ekcert.der"]),
  step("nvread_ekcert_ecc", "tpm2_nvread", ["0x01c0000a", "-s", "800", "-o", "ekcert_ecc.der"]),
  step("nvreadpublic", "tpm2_nvreadpublic", []),
  step("nvdefine_owner", "tpm2_nvdefine", ["0x01500016", "-C", "o", "-s", "32", "-a", "ownerread|ownerwrite|authread|authwrite"]),
  misuse("nvread_unwritten", "tpm2_nvread", ["0x01500016", "-C", "o", "-s", "32"]),
  step("nvwrite_owner", "tpm2_nvwrite", ["0x01500016", "-C", "o", "-i", "secret.bin"]),
  step("nvread_owner", "tpm2_nvread", ["0x01500016", "-C", "o", "-s", "32", "-o", "nv_owner.bin"]),
  step("nvundefine_owner", "tpm2_nvundefine", ["0x01500016", "-C", "o"]),
  misuse("nvundefine_missing", "tpm2_nvundefine", ["0x01500016", "-C", "o"]),
  step("nvdefine_platform", "tpm2_nvdefine", ["0x01400001", "-C", "p", "-s", "16", "-a", "ppread|ppwrite|platformcreate"]),
  step("nvundefine_platform", "tpm2_nvundefine", ["0x01400001", "-C", "p"]),
  step("createprimary_srk", "tpm2_createprimary", ["-C", "o", "-g", "sha256", "-G", "ecc", "-c", "srk.ctx"]),
  step("create_child", "tpm2_create", ["-C", "srk.ctx", "-G", "ecc", "-u", "key.pub", "-r", "key.priv"]),
  step("load_child", "tpm2_load", ["-C", "srk.ctx", "-u", "key.pub", "-r", "key.priv", "-c", "key.ctx"]),
  step("certify", "tpm2_certify", ["-c", "key.ctx", "-C", "ak_rsa.ctx", "-g", "sha256", "-o", "attest.bin", "-s", "attest.sig"]),
  step("sign_child", "tpm2_sign", ["-c", "key.ctx", "-g", "sha256", "-o", "sign.sig", "secret.bin"]),
  step("verify_child", "tpm2_verifysignature", ["-c", "key.ctx", "-g", "sha256", "-m", "secret.bin", "-s", "sign.sig"]),
  misuse("verify_wrong_message", "tpm2_verifysignature", ["-c", "key.ctx", "-g", "sha256", "-m", "rand.bin", "-s", "sign.sig"]),
  step("evict_ek", "tpm2_evictcontrol", ["-C", "o", "-c", "ek_rsa.ctx", "0x81010001"]),
  step("getcap_persistent", "tpm2_getcap", ["handles-persistent"]),
  step("readpublic_persist", "tpm2_readpublic", ["-c", "0x81010001"]),
  step("evict_remove", "tpm2_evictcontrol", ["-C", "o", "-c", "0x81010001"]),
  misuse("readpublic_removed", "tpm2_readpublic", ["-c", "0x81010001"]),
  step("flush_transient", "tpm2_flushcontext", ["-t"]),
  step("startauth_policy", "tpm2_startauthsession", ["-S", "session.ctx", "--policy-session"]),
  step("policysecret", "tpm2_policysecret", ["-S", "session.ctx", "-c", "e", "-L", "policy.dat"]),
  step("flush_session", "tpm2_flushcontext", ["session.ctx"]),
  step("trial_policypcr", "tpm2_startauthsession", ["-S", "trial.ctx"]),
  step("policypcr", "tpm2_policypcr", ["-S", "trial.ctx", "-l", "sha256:0,1,2", "-L", "policypcr.dat"]),
  step("flush_trial", "tpm2_flushcontext", ["trial.ctx"]),
  step("startauth_hmac_salted", "tpm2_startauthsession", ["-S", "hsession.ctx", "--hmac-session", "-c", "ek_rsa.ctx"]),
  step("getrandom_encrypted", "tpm2_getrandom", ["-S", "hsession.ctx", "--hex", "16"]),
  step("flush_session2", "tpm2_flushcontext", ["hsession.ctx"]),
  // PolicyPassword: ESYS sends the password as the HMAC and an empty nonceCaller, which the TPM must take
  step("trial_policypassword", "tpm2_startauthsession", ["-S", "pwtrial.ctx"]),
  step("policypassword_trial", "tpm2_policypassword", ["-S", "pwtrial.ctx", "-L", "policypassword.dat"]),
  step("flush_pwtrial", "tpm2_flushcontext", ["pwtrial.ctx"]),
  step("seal_under_policypassword", "tpm2_create", ["-C", "srk.ctx", "-p", "sealpass", "-L", "policypassword.dat", "-a", "fixedtpm|fixedparent", "-i", "secret.bin", "-u", "seal.pub", "-r", "seal.priv", "-c", "seal.ctx"]),
  step("startauth_pw", "tpm2_startauthsession", ["-S", "pwsession.ctx", "--policy-session"]),
  step("policypassword", "tpm2_policypassword", ["-S", "pwsession.ctx"]),
  step("unseal_policypassword", "tpm2_unseal", ["-c", "seal.ctx", "-p", "session:pwsession.ctx+sealpass", "-o", "unsealed.bin"]),
  step("flush_pwsession", "tpm2_flushcontext", ["pwsession.ctx"]),
  step("hash", "tpm2_hash", ["-g", "sha256", "-o", "hash.bin", "-t", "ticket.bin", "secret.bin"]),
  step("getekcertificate", "tpm2_getekcertificate", ["-o", "ekcert_a.der", "-o", "ekcert_b.der"]),
];

interface Target {
  name: string;
  tcti: string;
  env?: Record<string, string>;
  dir: string;
  results: Map<string, ToolResult>;
  stop(): Promise<void>;
}

async function runFlow(target: Target): Promise<void> {
  writeFileSync(path.join(target.dir, "secret.bin"), Buffer.from("0123456789abcdef0123456789abcdef"));
  writeFileSync(path.join(target.dir, "fake_ekcert.der"), Buffer.alloc(800, 0x5a));
  for (const s of STEPS) {
    const args = typeof s.args === "function" ? s.args(target.dir) : s.args;
    const opts = { tcti: target.tcti, cwd: target.dir, ...(target.env ? { env: target.env } : {}) };
    target.results.set(s.label, await runTool(s.tool, args, opts));
    // no resource manager: the tools leave transient objects loaded (swtpm has 3 slots), so flush as the flow script does
    await runTool("tpm2_flushcontext", ["-t"], opts);
  }
}

describe("interop: tpm2-tools flows against the emulator (TCTIs swtpm, mssim and tpm2-abrmd) and swtpm", function () {
  this.timeout(600_000);
  const targets: Target[] = [];
  let swtpm: SwtpmInstance | undefined;
  const servers: TpmServer[] = [];

  before(async function () {
    requireTool(this, ["swtpm", "tpm2_startup", "tpm2_createek", "tpm2_quote", "tpm2_checkquote", "tpm2-abrmd", "dbus-daemon"]);
    swtpm = await startSwtpm();
    const mk = (name: string, tcti: string, stop: () => Promise<void>): Target => ({
      name,
      tcti,
      dir: mkdtempSync(path.join(tmpdir(), `apsim-flow-${name}-`)),
      results: new Map(),
      stop,
    });
    targets.push(mk("swtpm", swtpm.tcti, () => swtpm!.stop()));
    for (const protocol of ["swtpm", "mssim"] as const) {
      const emulator = TpmEmulator.create({ vendor: "IFX" });
      const server = await serveTpm(emulator, { protocol, port: 0 });
      servers.push(server);
      targets.push(mk(`emulator-${protocol}`, `${protocol}:host=127.0.0.1,port=${server.port}`, () => server.close()));
    }
    // the same flows through the tpm2-abrmd resource manager in front of another emulator
    const emulator = TpmEmulator.create({ vendor: "STM" });
    const server = await serveTpm(emulator, { protocol: "swtpm", port: 0 });
    const broker = await startAbrmd(`swtpm:host=127.0.0.1,port=${server.port}`, String(server.port));
    targets.push({
      ...mk("emulator-abrmd", broker.tcti, async () => {
        await broker.stop();
        await server.close();
      }),
      env: broker.env,
    });
    await Promise.all(targets.map(runFlow));
  });

  after(async () => {
    for (const t of targets) {
      await t.stop();
      rmSync(t.dir, { recursive: true, force: true });
    }
  });

  for (const s of STEPS) {
    it(`${s.label}: ${s.fails ? "refused" : "succeeds"} on swtpm and the same on the emulator (swtpm, mssim, tabrmd)`, () => {
      const reference = targets[0]!.results.get(s.label)!;
      expect(reference.code === 0, `swtpm ${s.tool}: ${reference.stderr.slice(0, 400)}`).to.equal(!s.fails);
      for (const t of targets.slice(1)) {
        const r = t.results.get(s.label)!;
        const detail = `${t.name} ${s.tool}: exit ${r.code}, swtpm exit ${reference.code}\n${r.stderr.slice(0, 800)}`;
        expect(r.code === 0, detail).to.equal(reference.code === 0);
      }
    });
  }

  it("activated credentials equal the secret on every TPM", () => {
    for (const t of targets) {
      for (const f of ["actcred_rsa.bin", "actcred_tpm.bin", "actcred_ecc.bin"]) {
        expect(existsSync(path.join(t.dir, f)), `${t.name} ${f}`).to.equal(true);
        expect(readFileSync(path.join(t.dir, f)).toString(), `${t.name} ${f}`).to.equal("0123456789abcdef0123456789abcdef");
      }
    }
  });

  it("PCR values read back are the same on every TPM after the same extends", () => {
    const ref = readFileSync(path.join(targets[0]!.dir, "pcrs.bin"));
    for (const t of targets.slice(1)) expect(readFileSync(path.join(t.dir, "pcrs.bin")).equals(ref), t.name).to.equal(true);
  });

  it("NV contents written by tpm2_nvwrite read back byte for byte", () => {
    for (const t of targets) {
      expect(readFileSync(path.join(t.dir, "nv_owner.bin")).toString(), t.name).to.equal("0123456789abcdef0123456789abcdef");
      expect(readFileSync(path.join(t.dir, "ekcert_rsa.der")).equals(Buffer.alloc(800, 0x5a)), t.name).to.equal(true);
    }
  });
});
