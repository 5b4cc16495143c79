/**
 * RSA-3072 through tpm2-tools against the emulator and, as the yardstick, swtpm (libtpms builds with RSA 3072):
 * primaries and ordinary keys of 3072 bits, RSASSA and RSAPSS signatures the TPM and node:crypto verify, OAEP both
 * ways, and the high-range EK template H-6 by hand (RSA 3072, SHA-384, AES-256-CFB, PolicyB SHA-384). Every step
 * must have the same outcome on both TPMs.
 */
import { expect } from "chai";
import { constants, createPublicKey, verify } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { EK_POLICY_B_SHA384 } from "../../tpm2/index.js";
import { runToolSteps, startToolTargets, stopToolTargets, type ToolTarget } from "./support/targets.js";
import { requireTool } from "./support/tools.js";

interface Step {
  label: string;
  tool: string;
  args: string[];
}

const step = (label: string, tool: string, args: string): Step => ({ label, tool, args: args.split(" ") });

const MESSAGE = Buffer.from("signed and encrypted by RSA-3072 keys");
const CHILD = "fixedtpm|fixedparent|sensitivedataorigin|userwithauth";
const EK_H6_ATTRIBUTES = "fixedtpm|fixedparent|sensitivedataorigin|userwithauth|adminwithpolicy|restricted|decrypt";

const STEPS: Step[] = [
  step("startup", "tpm2_startup", "-c"),
  step("primary", "tpm2_createprimary", "-C o -g sha256 -G rsa3072 -c prim.ctx"),
  step("primary_public", "tpm2_readpublic", "-c prim.ctx -o prim.pem -f pem"),
  step("sign_create", "tpm2_create", `-C prim.ctx -G rsa3072 -a sign|${CHILD} -u sign.pub -r sign.priv`),
  step("sign_load", "tpm2_load", "-C prim.ctx -u sign.pub -r sign.priv -c sign.ctx"),
  step("sign_public", "tpm2_readpublic", "-c sign.ctx -o sign.pem -f pem"),
  step("sign_rsassa", "tpm2_sign", "-c sign.ctx -g sha384 -s rsassa -f plain -o msg.rsassa msg.dat"),
  step("sign_rsassa_tss", "tpm2_sign", "-c sign.ctx -g sha384 -s rsassa -o msg.rsassa.tss msg.dat"),
  step("verify_rsassa", "tpm2_verifysignature", "-c sign.ctx -g sha384 -m msg.dat -s msg.rsassa.tss"),
  step("sign_rsapss", "tpm2_sign", "-c sign.ctx -g sha256 -s rsapss -f plain -o msg.rsapss msg.dat"),
  step("dec_create", "tpm2_create", `-C prim.ctx -G rsa3072 -a decrypt|${CHILD} -u dec.pub -r dec.priv`),
  step("dec_load", "tpm2_load", "-C prim.ctx -u dec.pub -r dec.priv -c dec.ctx"),
  step("rsaencrypt", "tpm2_rsaencrypt", "-c dec.ctx -s oaep -l mylabel -o msg.enc msg.dat"),
  step("rsadecrypt", "tpm2_rsadecrypt", "-c dec.ctx -s oaep -l mylabel -o msg.dec msg.enc"),
  step(
    "ek_h6",
    "tpm2_createprimary",
    `-C e -g sha384 -G rsa3072:null:aes256cfb -a ${EK_H6_ATTRIBUTES} -L ek-policy.dat -c ek.ctx`,
  ),
  step("ek_h6_public", "tpm2_readpublic", "-c ek.ctx -o ek.pem -f pem"),
];

describe("interop: RSA-3072 with tpm2-tools against the emulator and swtpm", function () {
  this.timeout(600_000);
  const targets: ToolTarget[] = [];

  before(async function () {
    requireTool(this, ["swtpm", "tpm2_startup", "tpm2_createprimary", "tpm2_sign", "tpm2_verifysignature", "tpm2_rsadecrypt"]);
    await startToolTargets(targets, "rsa3072", { emulatorVendor: "IFX" });
    const files = { "msg.dat": MESSAGE, "ek-policy.dat": EK_POLICY_B_SHA384 };
    await Promise.all(targets.map((target) => runToolSteps(target, STEPS, files)));
  });

  after(() => stopToolTargets(targets));

  for (const s of STEPS) {
    it(`${s.label}: succeeds on swtpm and on the emulator`, () => {
      for (const t of targets) {
        const r = t.results.get(s.label)!;
        expect(r.code, `${t.name} ${s.tool}: exit ${r.code}\n${r.stderr.slice(0, 800)}`).to.equal(0);
      }
    });
  }

  const read = (t: ToolTarget, file: string) => readFileSync(path.join(t.dir, file));

  it("every RSA key is 3072 bits, the EK included", () => {
    for (const t of targets) {
      for (const file of ["prim.pem", "sign.pem", "ek.pem"]) {
        const key = createPublicKey(read(t, file));
        expect(key.asymmetricKeyDetails?.modulusLength, `${t.name} ${file}`).to.equal(3072);
      }
    }
  });

  it("node:crypto verifies the RSASSA-SHA384 and RSAPSS-SHA256 signatures of every TPM", () => {
    for (const t of targets) {
      const key = createPublicKey(read(t, "sign.pem"));
      expect(verify("sha384", MESSAGE, key, read(t, "msg.rsassa")), t.name).to.equal(true);
      const pss = { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO };
      expect(verify("sha256", MESSAGE, pss, read(t, "msg.rsapss")), t.name).to.equal(true);
    }
  });

  it("RSA-OAEP decrypts back to the message on every TPM", () => {
    for (const t of targets) expect(read(t, "msg.dec").equals(MESSAGE), t.name).to.equal(true);
  });
});
