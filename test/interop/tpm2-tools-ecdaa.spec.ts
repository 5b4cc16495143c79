/**
 * tpm2-tools split ECC operations — tpm2_ecephemeral, tpm2_commit, tpm2_sign -s ecdaa, tpm2_zgen2phase — against the
 * emulator (TCTIs swtpm and tpm2-abrmd) and, as the yardstick, swtpm: every step must have the same outcome on all,
 * and every TPM's ECDAA signatures must satisfy the verifier's equation s·G = E + H(nonceK ‖ digest)·Q, and its Z
 * points equal what the other party computes with node:crypto.
 */
import { expect } from "chai";
import { createECDH, createHash, type ECDH } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { TPM2B_ECC_POINT, TPM2B_PUBLIC, TPMT_SIGNATURE, TPM_ALG, marshal, unmarshal, type TPMS_ECC_POINT } from "../../tpm2/index.js";
import { G, big, ecdaaChallenge, schnorrHolds, toPoint } from "../tpm-emulator/commands/ephemeral/support.js";
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

const MESSAGE = Buffer.from("signed anonymously, verified by the test");
const DIGEST = createHash("sha256").update(MESSAGE).digest();
const ZGEN = "--static-public qsb.bin --ephemeral-public qeb.bin";

const STEPS: Step[] = [
  step("startup", "tpm2_startup", "-c"),
  step("srk", "tpm2_createprimary", "-C o -g sha256 -G ecc -c prim.ctx"),
  step("daa_create", "tpm2_create", "-C prim.ctx -G ecc256:ecdaa -u daa.pub -r daa.priv"),
  step("daa_load", "tpm2_load", "-C prim.ctx -u daa.pub -r daa.priv -c daa.ctx"),
  step("ecephemeral", "tpm2_ecephemeral", "-u eph.q -t eph.ctr ecc256"),
  step("commit_1", "tpm2_commit", "-c daa.ctx -t c1.ctr -u E1.bin"),
  step("commit_2", "tpm2_commit", "-c daa.ctx -t c2.ctr -u E2.bin"),
  step("sign_ecdaa_1", "tpm2_sign", "-c daa.ctx -g sha256 -s ecdaa --commit-index 1 -o sig1.bin msg.dat"),
  misuse("sign_ecdaa_1_again", "tpm2_sign", "-c daa.ctx -g sha256 -s ecdaa --commit-index 1 -o sig1b.bin msg.dat"),
  step("sign_ecdaa_2", "tpm2_sign", "-c daa.ctx -g sha256 -s ecdaa --commit-index 2 -o sig2.bin msg.dat"),
  misuse("sign_ecdaa_uncommitted", "tpm2_sign", "-c daa.ctx -g sha256 -s ecdaa --commit-index 9 -o sig9.bin msg.dat"),
  misuse("sign_ecdsa_with_ecdaa_key", "tpm2_sign", "-c daa.ctx -g sha256 -s ecdsa -o sigx.bin msg.dat"),
  step("ecdh_create", "tpm2_create", "-C prim.ctx -G ecc256:ecdh -u ecdh.pub -r ecdh.priv"),
  step("ecdh_load", "tpm2_load", "-C prim.ctx -u ecdh.pub -r ecdh.priv -c ecdh.ctx"),
  misuse("commit_ecdh_key", "tpm2_commit", "-c ecdh.ctx -t cx.ctr -u Ex.bin"),
  step("zgen2phase", "tpm2_zgen2phase", `-c ecdh.ctx ${ZGEN} -t 0 --output-Z1 z1.bin --output-Z2 z2.bin`),
  misuse("zgen2phase_again", "tpm2_zgen2phase", `-c ecdh.ctx ${ZGEN} -t 0 --output-Z1 z1b.bin --output-Z2 z2b.bin`),
  misuse("zgen2phase_signing_key", "tpm2_zgen2phase", `-c daa.ctx ${ZGEN} -t 1 --output-Z1 z1c.bin --output-Z2 z2c.bin`),
];

/** Party B's static and ephemeral P-256 keys, made by node:crypto. */
function peerKey(): { ecdh: ECDH; point: TPMS_ECC_POINT } {
  const ecdh = createECDH("prime256v1");
  const pub = ecdh.generateKeys();
  return { ecdh, point: { x: pub.subarray(1, 33), y: pub.subarray(33) } };
}
const staticB = peerKey();
const ephemeralB = peerKey();

describe("interop: tpm2-tools ECDAA and two-phase ECDH (commit, ecephemeral, sign -s ecdaa, zgen2phase) against the emulator and swtpm", function () {
  this.timeout(300_000);
  const targets: ToolTarget[] = [];

  before(async function () {
    requireTool(this, ["swtpm", "tpm2_startup", "tpm2_commit", "tpm2_ecephemeral", "tpm2_zgen2phase", "tpm2-abrmd", "dbus-daemon"]);
    await startToolTargets(targets, "ecdaa", { emulatorVendor: "INTC", brokeredVendor: "NTC" });
    const files = {
      "msg.dat": MESSAGE,
      "qsb.bin": marshal(TPM2B_ECC_POINT, staticB.point),
      "qeb.bin": marshal(TPM2B_ECC_POINT, ephemeralB.point),
    };
    await Promise.all(targets.map((target) => runToolSteps(target, STEPS, files, ["-t", "-l"])));
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
  const point = (t: ToolTarget, file: string) => unmarshal(TPM2B_ECC_POINT, read(t, file));

  it("the commit counters run 0 (ecephemeral), 1, 2 (commit) on every TPM", () => {
    for (const t of targets) {
      expect([read(t, "eph.ctr"), read(t, "c1.ctr"), read(t, "c2.ctr")].map((b) => b.toString("hex")), t.name).to.deep.equal(["0000", "0001", "0002"]);
    }
  });

  it("each ECDAA signature satisfies s·G = E + H(nonceK ‖ digest)·Q for its own commitment only, on every TPM", () => {
    for (const t of targets) {
      const Q = toPoint(unmarshal(TPM2B_PUBLIC, read(t, "daa.pub")).unique as TPMS_ECC_POINT);
      const holds = (sigFile: string, eFile: string) => {
        const signature = unmarshal(TPMT_SIGNATURE, read(t, sigFile));
        expect(signature.sigAlg, t.name).to.equal(TPM_ALG.ECDAA);
        const { signatureR, signatureS } = signature.signature as { signatureR: Uint8Array; signatureS: Uint8Array };
        return schnorrHolds(big(signatureS), ecdaaChallenge(signatureR, DIGEST), G, toPoint(point(t, eFile)), Q);
      };
      expect(holds("sig1.bin", "E1.bin"), `${t.name} sig1`).to.equal(true);
      expect(holds("sig2.bin", "E2.bin"), `${t.name} sig2`).to.equal(true);
      expect(holds("sig1.bin", "E2.bin"), `${t.name} sig1 against E2`).to.equal(false);
    }
  });

  it("ZGen_2Phase: Z1 is party B's ECDH with the static key, Z2 with the ephemeral key of ecephemeral, on every TPM", () => {
    const shared = (b: ECDH, p: TPMS_ECC_POINT) => b.computeSecret(Buffer.concat([Buffer.of(4), p.x, p.y]));
    for (const t of targets) {
      const QsA = unmarshal(TPM2B_PUBLIC, read(t, "ecdh.pub")).unique as TPMS_ECC_POINT;
      expect(Buffer.from(point(t, "z1.bin").x).equals(shared(staticB.ecdh, QsA)), `${t.name} Z1`).to.equal(true);
      expect(Buffer.from(point(t, "z2.bin").x).equals(shared(ephemeralB.ecdh, point(t, "eph.q"))), `${t.name} Z2`).to.equal(true);
    }
  });
});
