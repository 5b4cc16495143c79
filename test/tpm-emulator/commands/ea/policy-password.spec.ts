import { expect } from "chai";
import { randomBytes } from "node:crypto";
import {
  COMMANDS,
  TPM_CC,
  TPM_RC,
  TPM_RC_1,
  TPMA_SESSION,
  buildCommand,
  marshal,
} from "../../../../tpm2/index.js";
import { startedTpm, u32, type StartedTpm } from "../session/support.js";
import { GUARDED_INDEX, defineGuardedIndex, sha256 } from "./support.js";

const INDEX_AUTH = Buffer.from("index password");

describe("TPM2_PolicyPassword", () => {
  let t: StartedTpm;
  beforeEach(async () => {
    t = await startedTpm();
  });

  async function passwordSession(type: "policy" | "trial"): Promise<number> {
    const s = await t.client.startSession({ type });
    await t.client.run("PolicyPassword", { handles: [s.handle], params: {} });
    return s.handle;
  }

  /** NV_Read of GUARDED_INDEX with `session`, whose hmac field carries `password` in the clear. */
  async function readWithPassword(session: number, password: Buffer): Promise<number> {
    const command = buildCommand(
      TPM_CC.NV_Read,
      [GUARDED_INDEX, GUARDED_INDEX],
      [{ sessionHandle: session, nonce: randomBytes(32), sessionAttributes: TPMA_SESSION.continueSession, hmac: password }],
      marshal(COMMANDS.NV_Read.params, { size: 8, offset: 0 }),
    );
    return Buffer.from(await t.tpm.execute(command)).readUInt32BE(6);
  }

  it("has the digest of TPM2_PolicyAuthValue, so a policy does not tell which of the two is used", async () => {
    const handle = await passwordSession("policy");
    const digest = (await t.client.run("PolicyGetDigest", { handles: [handle], params: {} })).policyDigest;
    expect(Buffer.from(digest)).to.deep.equal(sha256(Buffer.alloc(32), u32(TPM_CC.PolicyAuthValue)));
  });

  it("lets the session carry the entity's authValue in the clear instead of an HMAC", async () => {
    const trial = await passwordSession("trial");
    const policy = (await t.client.run("PolicyGetDigest", { handles: [trial], params: {} })).policyDigest;
    await defineGuardedIndex(t, policy, { auth: INDEX_AUTH });
    expect(await readWithPassword(await passwordSession("policy"), INDEX_AUTH)).to.equal(TPM_RC.SUCCESS);
    expect(await readWithPassword(await passwordSession("policy"), Buffer.from("guess"))).to.equal(TPM_RC.BAD_AUTH | 0x800 | TPM_RC_1);
  });
});
