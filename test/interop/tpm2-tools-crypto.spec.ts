/**
 * tpm2-tools key and data operations (RSA encrypt/decrypt, HMAC, hashes longer than one buffer, AES, ECDH, change of
 * a key's auth, duplication and import, GetTime) against the emulator (TCTIs swtpm and tpm2-abrmd, which swaps
 * sequence objects out between commands) and, as the yardstick, swtpm: every step must have the same outcome, and
 * results that node:crypto can compute must equal its own.
 */
import { expect } from "chai";
import { createCipheriv, createHash, createHmac } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { runToolSteps, startToolTargets, stopToolTargets, type ToolTarget } from "./support/targets.js";
import { requireTool } from "./support/tools.js";

interface Step {
  label: string;
  tool: string;
  args: string[];
  /** A misuse that both TPMs must refuse. */
  fails?: boolean;
}

const step = (label: string, tool: string, args: string): Step => ({ label, tool, args: args.split(" ") });
const misuse = (label: string, tool: string, args: string): Step => ({ ...step(label, tool, args), fails: true });

const MESSAGE = Buffer.from("0123456789abcdef0123456789abcdef");
const BIG = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7) & 0xff));
const HMAC_KEY = Buffer.from("an HMAC key the test knows, 32 b");
const AES_KEY = Buffer.from("000102030405060708090a0b0c0d0e0f", "hex");
const IV = Buffer.from("f0e0d0c0b0a090807060504030201000", "hex");
const CHILD = "fixedtpm|fixedparent|sensitivedataorigin|userwithauth";

const STEPS: Step[] = [
  step("startup", "tpm2_startup", "-c"),
  step("srk", "tpm2_createprimary", "-C o -g sha256 -G ecc -c prim.ctx"),
  // RSA-OAEP with a label, both ways
  step("rsa_create", "tpm2_create", `-C prim.ctx -G rsa2048 -a decrypt|${CHILD} -u rsa.pub -r rsa.priv`),
  step("rsa_load", "tpm2_load", "-C prim.ctx -u rsa.pub -r rsa.priv -c rsa.ctx"),
  step("rsaencrypt", "tpm2_rsaencrypt", "-c rsa.ctx -s oaep -l mylabel -o msg.enc msg.dat"),
  step("rsadecrypt", "tpm2_rsadecrypt", "-c rsa.ctx -s oaep -l mylabel -o msg.dec msg.enc"),
  misuse("rsadecrypt_other_label", "tpm2_rsadecrypt", "-c rsa.ctx -s oaep -l other -o msg.bad msg.enc"),
  // hashes and HMACs longer than one TPM2B_MAX_BUFFER go through sequences
  step("hash_big", "tpm2_hash", "-g sha256 -o big.sha256 -t big.ticket big.dat"),
  step("hash_big_sha1", "tpm2_hash", "-g sha1 -o big.sha1 big.dat"),
  step("hmac_import", "tpm2_import", "-C prim.ctx -G hmac -i hmac.key -u hmac.pub -r hmac.priv"),
  step("hmac_load", "tpm2_load", "-C prim.ctx -u hmac.pub -r hmac.priv -c hmac.ctx"),
  step("hmac_small", "tpm2_hmac", "-c hmac.ctx -o msg.hmac msg.dat"),
  step("hmac_big", "tpm2_hmac", "-c hmac.ctx -o big.hmac big.dat"),
  step("hmac_createloaded", "tpm2_create", "-C prim.ctx -G hmac -c hmac2.ctx"),
  step("hmac_tpm_key", "tpm2_hmac", "-c hmac2.ctx -o big2.hmac big.dat"),
  // AES with a key the test knows
  step("aes_import", "tpm2_import", "-C prim.ctx -G aes -i aes.key -u aes.pub -r aes.priv"),
  step("aes_load", "tpm2_load", "-C prim.ctx -u aes.pub -r aes.priv -c aes.ctx"),
  step("encrypt", "tpm2_encryptdecrypt", "-c aes.ctx -G cfb -t iv.bin -o msg.aes msg.dat"),
  step("decrypt", "tpm2_encryptdecrypt", "-c aes.ctx -G cfb -d -t iv.bin -o msg.plain msg.aes"),
  step("encrypt_cbc", "tpm2_encryptdecrypt", "-c aes.ctx -G cbc -t iv.bin -o msg.cbc msg.dat"),
  // ECDH: the ephemeral side's Z equals the key holder's
  step("ecdh_create", "tpm2_create", `-C prim.ctx -G ecc256:ecdh -a decrypt|${CHILD} -u ecdh.pub -r ecdh.priv`),
  step("ecdh_load", "tpm2_load", "-C prim.ctx -u ecdh.pub -r ecdh.priv -c ecdh.ctx"),
  step("ecdhkeygen", "tpm2_ecdhkeygen", "-c ecdh.ctx -u ecdh.ephemeral -o ecdh.z1"),
  step("ecdhzgen", "tpm2_ecdhzgen", "-c ecdh.ctx -u ecdh.ephemeral -o ecdh.z2"),
  // a key's new password
  step("ca_create", "tpm2_create", `-C prim.ctx -G ecc -a sign|${CHILD} -u ca.pub -r ca.priv`),
  step("ca_load", "tpm2_load", "-C prim.ctx -u ca.pub -r ca.priv -c ca.ctx"),
  step("changeauth", "tpm2_changeauth", "-c ca.ctx -C prim.ctx -r ca.new.priv newpass"),
  step("ca_reload", "tpm2_load", "-C prim.ctx -u ca.pub -r ca.new.priv -c ca2.ctx"),
  step("ca_sign_new", "tpm2_sign", "-c ca2.ctx -p newpass -g sha256 -o ca.sig msg.dat"),
  misuse("ca_sign_old", "tpm2_sign", "-c ca2.ctx -g sha256 -o ca.sig2 msg.dat"),
  // duplication to another parent, without and with an inner wrap
  step("dup_trial", "tpm2_startauthsession", "-S trial.ctx"),
  step("dup_policy", "tpm2_policycommandcode", "-S trial.ctx -L dpolicy.dat TPM2_CC_Duplicate"),
  step("dup_trial_flush", "tpm2_flushcontext", "trial.ctx"),
  step("np_create", "tpm2_create", "-C prim.ctx -g sha256 -G rsa -a restricted|sensitivedataorigin|decrypt|userwithauth -u np.pub -r np.priv"),
  step("np_load", "tpm2_load", "-C prim.ctx -u np.pub -r np.priv -c np.ctx"),
  step("dk_create", "tpm2_create", "-C prim.ctx -g sha256 -G ecc -L dpolicy.dat -a sensitivedataorigin|userwithauth|sign -u dk.pub -r dk.priv"),
  step("dk_load", "tpm2_load", "-C prim.ctx -u dk.pub -r dk.priv -c dk.ctx"),
  step("dup_session", "tpm2_startauthsession", "--policy-session -S dsess.ctx"),
  step("dup_session_cc", "tpm2_policycommandcode", "-S dsess.ctx TPM2_CC_Duplicate"),
  step("duplicate", "tpm2_duplicate", "-C np.ctx -c dk.ctx -G null -p session:dsess.ctx -r dup.dpriv -s dup.seed"),
  step("dup_session_flush", "tpm2_flushcontext", "dsess.ctx"),
  step("import", "tpm2_import", "-C np.ctx -u dk.pub -i dup.dpriv -r dk.imported -s dup.seed"),
  step("import_load", "tpm2_load", "-C np.ctx -u dk.pub -r dk.imported -c dk2.ctx"),
  step("import_sign", "tpm2_sign", "-c dk2.ctx -g sha256 -o dk.sig msg.dat"),
  step("import_verify", "tpm2_verifysignature", "-c dk.ctx -g sha256 -m msg.dat -s dk.sig"),
  step("dup_session2", "tpm2_startauthsession", "--policy-session -S dsess2.ctx"),
  step("dup_session2_cc", "tpm2_policycommandcode", "-S dsess2.ctx TPM2_CC_Duplicate"),
  step("duplicate_inner", "tpm2_duplicate", "-C np.ctx -c dk.ctx -G aes -o dup.key -p session:dsess2.ctx -r dup2.dpriv -s dup2.seed"),
  step("dup_session2_flush", "tpm2_flushcontext", "dsess2.ctx"),
  step("import_inner", "tpm2_import", "-C np.ctx -u dk.pub -i dup2.dpriv -r dk.imported2 -s dup2.seed -k dup.key"),
  misuse("import_inner_no_key", "tpm2_import", "-C np.ctx -u dk.pub -i dup2.dpriv -r dk.imported3 -s dup2.seed"),
  // GetTime signed by an owner key
  step("tk_create", "tpm2_create", `-C prim.ctx -G ecc:ecdsa -a sign|${CHILD} -u tk.pub -r tk.priv`),
  step("tk_load", "tpm2_load", "-C prim.ctx -u tk.pub -r tk.priv -c tk.ctx"),
  step("gettime", "tpm2_gettime", "-c tk.ctx -o time.sig --attestation time.attest"),
  step("gettime_verify", "tpm2_verifysignature", "-c tk.ctx -g sha256 -m time.attest -s time.sig"),
];

describe("interop: tpm2-tools key and data operations against the emulator (TCTIs swtpm and tpm2-abrmd) and swtpm", function () {
  this.timeout(600_000);
  const targets: ToolTarget[] = [];

  before(async function () {
    requireTool(this, ["swtpm", "tpm2_startup", "tpm2_rsaencrypt", "tpm2_duplicate", "tpm2_gettime", "tpm2-abrmd", "dbus-daemon"]);
    await startToolTargets(targets, "crypto", { emulatorVendor: "IFX", brokeredVendor: "STM" });
    const files = { "msg.dat": MESSAGE, "big.dat": BIG, "hmac.key": HMAC_KEY, "aes.key": AES_KEY, "iv.bin": IV };
    await Promise.all(targets.map((target) => runToolSteps(target, STEPS, files)));
  });

  after(() => stopToolTargets(targets));

  for (const s of STEPS) {
    it(`${s.label}: ${s.fails ? "refused" : "succeeds"} on swtpm and the same on the emulator`, () => {
      const reference = targets[0]!.results.get(s.label)!;
      expect(reference.code === 0, `swtpm ${s.tool}: ${reference.stderr.slice(0, 400)}`).to.equal(!s.fails);
      for (const t of targets.slice(1)) {
        const r = t.results.get(s.label)!;
        expect(r.code === 0, `${t.name} ${s.tool}: exit ${r.code}\n${r.stderr.slice(0, 800)}`).to.equal(reference.code === 0);
      }
    });
  }

  const read = (t: ToolTarget, file: string) => readFileSync(path.join(t.dir, file));

  it("RSA-OAEP decrypts back to the message on every TPM", () => {
    for (const t of targets) expect(read(t, "msg.dec").equals(MESSAGE), t.name).to.equal(true);
  });

  it("the digests of 3000 bytes equal node:crypto's", () => {
    for (const t of targets) {
      expect(read(t, "big.sha256").equals(createHash("sha256").update(BIG).digest()), t.name).to.equal(true);
      expect(read(t, "big.sha1").equals(createHash("sha1").update(BIG).digest()), t.name).to.equal(true);
      expect(existsSync(path.join(t.dir, "big.ticket")), t.name).to.equal(true);
    }
  });

  it("HMACs with the imported key equal node:crypto's, short and sequenced", () => {
    for (const t of targets) {
      expect(read(t, "msg.hmac").equals(createHmac("sha256", HMAC_KEY).update(MESSAGE).digest()), t.name).to.equal(true);
      expect(read(t, "big.hmac").equals(createHmac("sha256", HMAC_KEY).update(BIG).digest()), t.name).to.equal(true);
    }
  });

  it("AES-128 CFB and CBC cipher texts equal node:crypto's and decrypt back", () => {
    const cfb = createCipheriv("aes-128-cfb", AES_KEY, IV).update(MESSAGE);
    const cbc = createCipheriv("aes-128-cbc", AES_KEY, IV).setAutoPadding(false).update(MESSAGE);
    for (const t of targets) {
      expect(read(t, "msg.aes").equals(cfb), t.name).to.equal(true);
      expect(read(t, "msg.cbc").equals(cbc), t.name).to.equal(true);
      expect(read(t, "msg.plain").equals(MESSAGE), t.name).to.equal(true);
    }
  });

  it("ECDH: TPM2_ECDH_KeyGen's Z equals TPM2_ECDH_ZGen's on every TPM", () => {
    for (const t of targets) expect(read(t, "ecdh.z1").equals(read(t, "ecdh.z2")), t.name).to.equal(true);
  });
});
