/**
 * tpm2-tools administration flows (owner auth, dictionary-attack lockout, Clear and ClearControl, hierarchy control,
 * primary policies, PolicyOR/PolicyAuthorize/PolicySigned, SetClock, session audit) against the emulator over the
 * swtpm socket protocol and against swtpm itself: every step must have the same outcome on both.
 */
import { expect } from "chai";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { TpmEmulator, serveTpm, type TpmServer } from "../../tpm-emulator/index.js";
import { runTool, type ToolResult } from "./support/run-tool.js";
import { startSwtpm, type SwtpmInstance } from "./support/swtpm.js";
import { requireTool } from "./support/tools.js";

interface Step {
  label: string;
  tool: string;
  args: string[];
  /** A misuse that both TPMs must refuse. */
  fails?: boolean;
}

const step = (label: string, tool: string, args: string): Step => ({ label, tool, args: args.split(" ").filter(Boolean) });
const misuse = (label: string, tool: string, args: string): Step => ({ ...step(label, tool, args), fails: true });
const SIGN_KEY = "sign|fixedtpm|fixedparent|sensitivedataorigin|userwithauth|noda";

const STEPS: Step[] = [
  step("startup", "tpm2_startup", "-c"),
  // owner authorization
  step("changeauth_owner", "tpm2_changeauth", "-c o ownerpw"),
  misuse("owner_old_auth", "tpm2_changeauth", "-c o other"),
  step("changeauth_owner_back", "tpm2_changeauth", "-c o -p ownerpw"),
  // dictionary attack
  step("da_parameters", "tpm2_dictionarylockout", "-s -n 3 -t 10 -l 60"),
  step("nvdefine_da", "tpm2_nvdefine 0x01500020 -C o -s 8 -a ownerread|ownerwrite|authread|authwrite -p nvpass", ""),
  step("nvwrite_da", "tpm2_nvwrite", "0x01500020 -C 0x01500020 -P nvpass -i eight.bin"),
  misuse("nvread_wrong_1", "tpm2_nvread", "0x01500020 -C 0x01500020 -P wrong -s 8"),
  misuse("nvread_wrong_2", "tpm2_nvread", "0x01500020 -C 0x01500020 -P wrong -s 8"),
  misuse("nvread_wrong_3", "tpm2_nvread", "0x01500020 -C 0x01500020 -P wrong -s 8"),
  misuse("nvread_locked_out", "tpm2_nvread", "0x01500020 -C 0x01500020 -P nvpass -s 8"),
  step("da_lock_reset", "tpm2_dictionarylockout", "-c"),
  step("nvread_after_reset", "tpm2_nvread", "0x01500020 -C 0x01500020 -P nvpass -s 8"),
  // Clear and ClearControl
  step("clearcontrol_disable", "tpm2_clearcontrol", "-C l s"),
  misuse("clear_disabled", "tpm2_clear", "-c l"),
  misuse("clearcontrol_enable_lockout", "tpm2_clearcontrol", "-C l c"),
  step("clearcontrol_enable_platform", "tpm2_clearcontrol", "-C p c"),
  step("clear", "tpm2_clear", "-c l"),
  // hierarchy control
  step("hierarchycontrol_owner_off", "tpm2_hierarchycontrol", "-C p shEnable clear"),
  misuse("createprimary_owner_off", "tpm2_createprimary", "-C o -G ecc -c off.ctx"),
  misuse("hierarchycontrol_owner_on_by_owner", "tpm2_hierarchycontrol", "-C o shEnable set"),
  step("hierarchycontrol_owner_on", "tpm2_hierarchycontrol", "-C p shEnable set"),
  // PolicyOR over two command-code branches, installed as the owner policy
  step("trial_a", "tpm2_startauthsession", "-S trial_a.ctx"),
  step("policycc_a", "tpm2_policycommandcode", "-S trial_a.ctx -L a.dat TPM2_CC_NV_Read"),
  step("flush_a", "tpm2_flushcontext", "trial_a.ctx"),
  step("trial_b", "tpm2_startauthsession", "-S trial_b.ctx"),
  step("policycc_b", "tpm2_policycommandcode", "-S trial_b.ctx -L b.dat TPM2_CC_NV_Write"),
  step("flush_b", "tpm2_flushcontext", "trial_b.ctx"),
  step("trial_or", "tpm2_startauthsession", "-S trial_or.ctx"),
  step("policyor_trial", "tpm2_policyor", "-S trial_or.ctx -L or.dat -l sha256:a.dat,b.dat"),
  step("flush_or", "tpm2_flushcontext", "trial_or.ctx"),
  step("setprimarypolicy", "tpm2_setprimarypolicy", "-C o -L or.dat -g sha256"),
  step("policy_or_session", "tpm2_startauthsession", "--policy-session -S or_session.ctx"),
  step("policycc_in_session", "tpm2_policycommandcode", "-S or_session.ctx TPM2_CC_NV_Read"),
  step("policyor_session", "tpm2_policyor", "-S or_session.ctx -l sha256:a.dat,b.dat"),
  misuse("policyor_no_branch", "tpm2_policyor", "-S or_session.ctx -l sha256:a.dat,a.dat"),
  step("flush_or_session", "tpm2_flushcontext", "or_session.ctx"),
  // PolicySigned and PolicyAuthorize with an external RSA key
  step("loadexternal", "tpm2_loadexternal", "-C o -G rsa -u signer.pub.pem -c signer.ctx -n signer.name"),
  step("signed_session", "tpm2_startauthsession", "--policy-session -S signed.ctx"),
  step("policysigned", "tpm2_policysigned", "-S signed.ctx -g sha256 -s zero.sig -f rsassa -c signer.ctx -L signed.dat"),
  misuse("policysigned_bad_signature", "tpm2_policysigned", "-S signed.ctx -g sha256 -s bad.sig -f rsassa -c signer.ctx"),
  step("flush_signed", "tpm2_flushcontext", "signed.ctx"),
  step("verifysignature_approved", "tpm2_verifysignature", "-c signer.ctx -g sha256 -m a.dat -s a.sig -f rsassa -t verified.tkt"),
  step("authorize_session", "tpm2_startauthsession", "--policy-session -S auth.ctx"),
  step("authorize_policycc", "tpm2_policycommandcode", "-S auth.ctx TPM2_CC_NV_Read"),
  step("policyauthorize", "tpm2_policyauthorize", "-S auth.ctx -i a.dat -n signer.name -t verified.tkt -L authorized.dat"),
  step("flush_authorize", "tpm2_flushcontext", "auth.ctx"),
  // Clock
  step("setclock", "tpm2_setclock", "-c o 100000000000"),
  misuse("setclock_backwards", "tpm2_setclock", "-c o 1000"),
  step("readclock", "tpm2_readclock", ""),
  // session audit
  step("audit_key", "tpm2_createprimary", `-C o -G ecc:ecdsa-sha256 -a ${SIGN_KEY} -c audit_key.ctx`),
  step("audit_session", "tpm2_startauthsession", "--audit-session -S audit.ctx"),
  step("audited_getrandom", "tpm2_getrandom", "-S audit.ctx --hex 8"),
  step("getsessionauditdigest", "tpm2_getsessionauditdigest", "-S audit.ctx -c audit_key.ctx -g sha256 -m audit.attest -s audit.sig"),
  step("flush_audit", "tpm2_flushcontext", "audit.ctx"),
];

// The nvdefine step above is written as one string: split it properly.
STEPS[5] = step("nvdefine_da", "tpm2_nvdefine", "0x01500020 -C o -s 8 -a ownerread|ownerwrite|authread|authwrite -p nvpass");

interface Target {
  name: string;
  tcti: string;
  dir: string;
  results: Map<string, ToolResult>;
  stop(): Promise<void>;
}

/** Files every flow needs: the data to write, an RSA key pair and signatures made by openssl. */
function prepare(dir: string): void {
  const run = (args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  writeFileSync(path.join(dir, "eight.bin"), Buffer.from("8 octets"));
  run(["genrsa", "-out", "signer.pem", "2048"]);
  run(["rsa", "-in", "signer.pem", "-pubout", "-out", "signer.pub.pem"]);
  // PolicySigned without nonce, cpHash, policyRef and expiration signs H(0x00000000)
  writeFileSync(path.join(dir, "zero.bin"), Buffer.alloc(4));
  run(["dgst", "-sha256", "-sign", "signer.pem", "-out", "zero.sig", "zero.bin"]);
  writeFileSync(path.join(dir, "other.bin"), Buffer.from("other"));
  run(["dgst", "-sha256", "-sign", "signer.pem", "-out", "bad.sig", "other.bin"]);
}

/** The approved policy's signature can only be made once the trial session wrote a.dat. */
function signApproved(dir: string): void {
  execFileSync("openssl", ["dgst", "-sha256", "-sign", "signer.pem", "-out", "a.sig", "a.dat"], { cwd: dir, stdio: "pipe" });
}

async function runFlow(target: Target): Promise<void> {
  prepare(target.dir);
  for (const s of STEPS) {
    if (s.label === "loadexternal") signApproved(target.dir);
    target.results.set(s.label, await runTool(s.tool, s.args, { tcti: target.tcti, cwd: target.dir }));
    await runTool("tpm2_flushcontext", ["-t"], { tcti: target.tcti, cwd: target.dir });
  }
}

describe("interop: tpm2-tools administration against the emulator and swtpm", function () {
  this.timeout(600_000);
  const targets: Target[] = [];
  let swtpm: SwtpmInstance | undefined;
  let server: TpmServer | undefined;

  before(async function () {
    requireTool(this, ["swtpm", "openssl", "tpm2_startup", "tpm2_dictionarylockout", "tpm2_policyauthorize", "tpm2_getsessionauditdigest"]);
    swtpm = await startSwtpm();
    const mk = (name: string, tcti: string, stop: () => Promise<void>): Target => ({
      name,
      tcti,
      dir: mkdtempSync(path.join(tmpdir(), `apsim-admin-${name}-`)),
      results: new Map(),
      stop,
    });
    targets.push(mk("swtpm", swtpm.tcti, () => swtpm!.stop()));
    const emulator = TpmEmulator.create({ vendor: "IFX" });
    server = await serveTpm(emulator, { protocol: "swtpm", port: 0 });
    targets.push(mk("emulator", `swtpm:host=127.0.0.1,port=${server.port}`, () => server!.close()));
    await Promise.all(targets.map(runFlow));
  });

  after(async () => {
    for (const t of targets) {
      await t.stop();
      rmSync(t.dir, { recursive: true, force: true });
    }
  });

  for (const s of STEPS) {
    it(`${s.label}: ${s.fails ? "refused" : "succeeds"} on swtpm and the same on the emulator`, () => {
      const [reference, emulator] = targets.map((t) => t.results.get(s.label)!) as [ToolResult, ToolResult];
      expect(reference.code === 0, `swtpm ${s.tool}: ${reference.stderr.slice(0, 400)}`).to.equal(!s.fails);
      expect(emulator.code === 0, `emulator ${s.tool}: exit ${emulator.code}\n${emulator.stderr.slice(0, 800)}`).to.equal(reference.code === 0);
    });
  }

  it("both TPMs report the same response code for each refused step", () => {
    const rcOf = (r: ToolResult) => /0x[0-9a-f]{3,8}/i.exec(r.stderr.split("\n").find((l) => /ErrorCode|rc|RC/.test(l)) ?? "")?.[0]?.toLowerCase();
    for (const s of STEPS.filter((x) => x.fails)) {
      const [reference, emulator] = targets.map((t) => t.results.get(s.label)!) as [ToolResult, ToolResult];
      expect(rcOf(emulator), s.label).to.equal(rcOf(reference));
    }
  });
});
