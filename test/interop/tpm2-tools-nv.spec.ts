/**
 * tpm2-tools (Debian 5.4) NV flows — counters, extend and bit-field indices, write/read/global locks and NV
 * certification — against the emulator served on a TCP port (swtpm TCTI) and, as the yardstick, a fresh swtpm:
 * every step must have the same outcome on both TPMs, and the NV contents read back must be the same bytes.
 */
import { expect } from "chai";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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

const step = (label: string, tool: string, args: string[]): Step => ({ label, tool, args });
const misuse = (label: string, tool: string, args: string[]): Step => ({ label, tool, args, fails: true });

const COUNTER = "0x01500100";
const EXTEND = "0x01500101";
const BITS = "0x01500102";
const WRITE_LOCKED = "0x01500103";
const READ_LOCKED = "0x01500104";
const GLOBAL = "0x01500105";
const NEW_COUNTER = "0x01500107";
const SALTED_EXTEND = "0x01500108";
const EXTEND_DATA = "measured";

const STEPS: Step[] = [
  step("startup", "tpm2_startup", ["-c"]),
  step("define_counter", "tpm2_nvdefine", [COUNTER, "-C", "o", "-s", "8", "-a", "ownerread|ownerwrite|authread|authwrite|nt=counter"]),
  misuse("read_counter_unwritten", "tpm2_nvread", ["-C", "o", "-s", "8", COUNTER]),
  step("increment_1", "tpm2_nvincrement", ["-C", "o", COUNTER]),
  step("increment_2", "tpm2_nvincrement", [COUNTER]),
  step("read_counter", "tpm2_nvread", ["-C", "o", "-s", "8", "-o", "counter.bin", COUNTER]),
  misuse("write_counter", "tpm2_nvwrite", ["-C", "o", "-i", "eight.bin", COUNTER]),
  step("define_extend", "tpm2_nvdefine", [EXTEND, "-C", "o", "-s", "32", "-g", "sha256", "-a", "ownerread|ownerwrite|nt=extend"]),
  misuse("define_extend_wrong_size", "tpm2_nvdefine", ["0x01500106", "-C", "o", "-s", "20", "-g", "sha256", "-a", "ownerread|ownerwrite|nt=extend"]),
  step("extend", "tpm2_nvextend", ["-C", "o", "-i", "extend.bin", EXTEND]),
  step("read_extend", "tpm2_nvread", ["-C", "o", "-s", "32", "-o", "extend_value.bin", EXTEND]),
  misuse("increment_extend", "tpm2_nvincrement", ["-C", "o", EXTEND]),
  step("define_bits", "tpm2_nvdefine", [BITS, "-C", "o", "-s", "8", "-a", "ownerread|ownerwrite|nt=bits"]),
  step("setbits_1", "tpm2_nvsetbits", ["-C", "o", "-i", "0x5", BITS]),
  step("setbits_2", "tpm2_nvsetbits", ["-C", "o", "-i", "0x8000000000000100", BITS]),
  step("read_bits", "tpm2_nvread", ["-C", "o", "-s", "8", "-o", "bits.bin", BITS]),
  step("define_write_stclear", "tpm2_nvdefine", [WRITE_LOCKED, "-C", "o", "-s", "8", "-a", "ownerread|ownerwrite|write_stclear"]),
  step("write_before_lock", "tpm2_nvwrite", ["-C", "o", "-i", "eight.bin", WRITE_LOCKED]),
  step("writelock", "tpm2_nvwritelock", ["-C", "o", WRITE_LOCKED]),
  misuse("write_after_lock", "tpm2_nvwrite", ["-C", "o", "-i", "eight.bin", WRITE_LOCKED]),
  step("writelock_again", "tpm2_nvwritelock", ["-C", "o", WRITE_LOCKED]),
  misuse("writelock_not_lockable", "tpm2_nvwritelock", ["-C", "o", COUNTER]),
  step("define_read_stclear", "tpm2_nvdefine", [READ_LOCKED, "-C", "o", "-s", "8", "-a", "ownerread|ownerwrite|read_stclear"]),
  step("write_readlockable", "tpm2_nvwrite", ["-C", "o", "-i", "eight.bin", READ_LOCKED]),
  step("readlock", "tpm2_nvreadlock", ["-C", "o", READ_LOCKED]),
  misuse("read_after_lock", "tpm2_nvread", ["-C", "o", "-s", "8", READ_LOCKED]),
  misuse("readlock_not_lockable", "tpm2_nvreadlock", ["-C", "o", COUNTER]),
  step("define_globallock", "tpm2_nvdefine", [GLOBAL, "-C", "o", "-s", "8", "-a", "ownerread|ownerwrite|globallock"]),
  step("global_writelock", "tpm2_nvwritelock", ["-C", "o", "--global"]),
  misuse("write_after_global_lock", "tpm2_nvwrite", ["-C", "o", "-i", "eight.bin", GLOBAL]),
  step("create_signer", "tpm2_createprimary", ["-C", "o", "-G", "ecc256:ecdsa-sha256", "-a", "fixedtpm|fixedparent|sensitivedataorigin|userwithauth|sign|noda", "-c", "signer.ctx"]),
  step("nvcertify", "tpm2_nvcertify", ["-C", "signer.ctx", "-g", "sha256", "-o", "certify.sig", "--attestation", "certify.attest", "-c", "o", "--size", "8", "--offset", "0", "-q", "0102030405060708", COUNTER]),
  step("verify_certify", "tpm2_verifysignature", ["-c", "signer.ctx", "-g", "sha256", "-m", "certify.attest", "-s", "certify.sig"]),
  misuse("nvcertify_beyond_end", "tpm2_nvcertify", ["-C", "signer.ctx", "-g", "sha256", "-o", "bad.sig", "--attestation", "bad.attest", "-c", "o", "--size", "8", "--offset", "4", COUNTER]),
  step("nvundefine_counter", "tpm2_nvundefine", [COUNTER, "-C", "o"]),
  // a new counter starts above the highest count of a deleted one (Part 3 §31.8; the reference's maxCounter)
  step("define_counter_after_undefine", "tpm2_nvdefine", [NEW_COUNTER, "-C", "o", "-s", "8", "-a", "ownerread|ownerwrite|nt=counter"]),
  step("increment_new_counter", "tpm2_nvincrement", ["-C", "o", NEW_COUNTER]),
  step("read_new_counter", "tpm2_nvread", ["-C", "o", "-s", "8", "-o", "new_counter.bin", NEW_COUNTER]),
  // an HMAC session authorizes the owner while a second, salted session encrypts the index auth: the second
  // session's nonceTPM goes into the first one's HMAC (Part 1 §19.6.5)
  step("create_salt_key", "tpm2_createprimary", ["-C", "o", "-G", "ecc", "-c", "salt.ctx"]),
  step("start_salted_session", "tpm2_startauthsession", ["-S", "enc_session.ctx", "--hmac-session", "-c", "salt.ctx"]),
  step("change_owner_auth", "tpm2_changeauth", ["-c", "o", "owner"]),
  step("define_over_salted_session", "tpm2_nvdefine", [SALTED_EXTEND, "-C", "o", "-P", "owner", "-a", "nt=extend|ownerread|policywrite|ownerwrite", "-p", "nvindexauth", "-S", "enc_session.ctx"]),
  step("extend_over_salted_session", "tpm2_nvextend", ["-C", "o", "-P", "owner", "-i", "extend.bin", SALTED_EXTEND, "-S", "enc_session.ctx"]),
  misuse("define_with_wrong_owner_auth", "tpm2_nvdefine", ["0x01500109", "-C", "o", "-P", "wrong", "-s", "8", "-p", "nvindexauth", "-S", "enc_session.ctx"]),
];

interface Target {
  name: string;
  tcti: string;
  dir: string;
  results: Map<string, ToolResult>;
  stop(): Promise<void>;
}

async function runFlow(target: Target): Promise<void> {
  writeFileSync(path.join(target.dir, "eight.bin"), Buffer.from("12345678"));
  writeFileSync(path.join(target.dir, "extend.bin"), Buffer.from(EXTEND_DATA));
  const opts = { tcti: target.tcti, cwd: target.dir };
  for (const s of STEPS) {
    target.results.set(s.label, await runTool(s.tool, s.args, opts));
    // no resource manager: the tools leave transient objects loaded, so flush as the flow script does
    await runTool("tpm2_flushcontext", ["-t"], opts);
  }
}

describe("interop: tpm2-tools NV counters, extend, bits, locks and certification against the emulator and swtpm", function () {
  this.timeout(300_000);
  const targets: Target[] = [];
  let swtpm: SwtpmInstance | undefined;
  let server: TpmServer | undefined;

  before(async function () {
    requireTool(this, ["swtpm", "tpm2_startauthsession", "tpm2_changeauth", "tpm2_nvincrement", "tpm2_nvextend", "tpm2_nvsetbits", "tpm2_nvwritelock", "tpm2_nvreadlock", "tpm2_nvcertify"]);
    swtpm = await startSwtpm();
    server = await serveTpm(TpmEmulator.create({ vendor: "IFX" }), { protocol: "swtpm", port: 0 });
    const mk = (name: string, tcti: string, stop: () => Promise<void>): Target => ({
      name,
      tcti,
      dir: mkdtempSync(path.join(tmpdir(), `apsim-nv-${name}-`)),
      results: new Map(),
      stop,
    });
    targets.push(mk("swtpm", swtpm.tcti, () => swtpm!.stop()));
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
      const reference = targets[0]!.results.get(s.label)!;
      expect(reference.code === 0, `swtpm ${s.tool}: ${reference.stderr.slice(0, 400)}`).to.equal(!s.fails);
      const r = targets[1]!.results.get(s.label)!;
      const detail = `emulator ${s.tool}: exit ${r.code}, swtpm exit ${reference.code}\n${r.stderr.slice(0, 800)}`;
      expect(r.code === 0, detail).to.equal(reference.code === 0);
    });
  }

  it("reads back the same counter, extend and bit-field values on both TPMs, as computed independently", () => {
    const extended = createHash("sha256").update(Buffer.alloc(32)).update(EXTEND_DATA).digest();
    for (const t of targets) {
      expect(readFileSync(path.join(t.dir, "counter.bin")).toString("hex"), t.name).to.equal("0000000000000002");
      expect(readFileSync(path.join(t.dir, "new_counter.bin")).toString("hex"), t.name).to.equal("0000000000000003");
      expect(readFileSync(path.join(t.dir, "extend_value.bin")).equals(extended), t.name).to.equal(true);
      expect(readFileSync(path.join(t.dir, "bits.bin")).toString("hex"), t.name).to.equal("8000000000000105");
    }
  });

  it("certifies the counter's 8 octets in a TPMS_NV_CERTIFY_INFO carrying the qualifying data", () => {
    for (const t of targets) {
      const attest = readFileSync(path.join(t.dir, "certify.attest"));
      expect(attest.readUInt16BE(4), t.name).to.equal(0x8014);
      expect(attest.subarray(attest.length - 12).toString("hex"), t.name).to.equal("000000080000000000000002");
      expect(attest.includes(Buffer.from("0102030405060708", "hex")), t.name).to.equal(true);
    }
  });
});
