// Session audit (TPMA_SESSION.audit, TPM2_GetSessionAuditDigest) and command audit (TPM2_SetCommandCodeAuditStatus,
// TPM2_GetCommandAuditDigest), with every digest recomputed here from the bytes that went over the wire.
import { expect } from "chai";
import { createHash } from "node:crypto";
import {
  TPMA_SESSION,
  TPMS_ATTEST,
  TPM_ALG,
  TPM_CC,
  TPM_RC,
  TPM_RH,
  TPM_ST,
  pw,
  unmarshal,
  withSession,
  type ClientSession,
} from "../../../../tpm2/index.js";
import { NULL_SCHEME } from "../key-fixture.js";
import { atHandle } from "../nv/support.js";
import { EMPTY, startedTpm, u32, type StartedTpm } from "../session/support.js";

const H = (alg: string, ...parts: Uint8Array[]) => {
  const h = createHash(alg);
  for (const p of parts) h.update(p);
  return h.digest();
};

/** The parameter area of a command frame with `handles` handles. */
function commandParameters(command: Buffer, handles: number): Buffer {
  const tag = command.readUInt16BE(0);
  let at = 10 + 4 * handles;
  if (tag === TPM_ST.SESSIONS) at += 4 + command.readUInt32BE(at);
  return command.subarray(at);
}

/** The parameter area of a response frame (no response handle). */
function responseParameters(response: Buffer): Buffer {
  if (response.readUInt16BE(0) === TPM_ST.SESSIONS) return response.subarray(14, 14 + response.readUInt32BE(10));
  return response.subarray(10);
}

/** cpHash and rpHash of the exchange at wire[i] for a command without handles. */
function hashesOf(t: StartedTpm, i: number, alg: string, cc: number, names: Buffer[] = []): { cp: Buffer; rp: Buffer } {
  const { command, response } = t.wire[i]!;
  return {
    cp: H(alg, u32(cc), ...names, commandParameters(command, names.length)),
    rp: H(alg, u32(0), u32(cc), responseParameters(response)),
  };
}

const auditAttrs = TPMA_SESSION.continueSession | TPMA_SESSION.audit;

async function sessionAuditInfo(t: StartedTpm, s: ClientSession) {
  const out = await t.client.run("GetSessionAuditDigest", {
    handles: [TPM_RH.ENDORSEMENT, TPM_RH.NULL, s.handle],
    auths: [pw(), pw()],
    params: { qualifyingData: EMPTY, inScheme: NULL_SCHEME },
  });
  const attest = unmarshal(TPMS_ATTEST, out.auditInfo);
  expect(attest.type).to.equal(TPM_ST.ATTEST_SESSION_AUDIT);
  return attest.attested as { exclusiveSession: boolean; sessionDigest: Uint8Array };
}

describe("session audit", () => {
  let t: StartedTpm;
  beforeEach(async () => {
    t = await startedTpm();
  });

  it("extends the session digest with cpHash and rpHash of each audited command, starting from zeros", async () => {
    const s = await t.client.startSession();
    const first = t.wire.length;
    await t.client.run("GetRandom", { auths: [withSession(s, { attributes: auditAttrs })], params: { bytesRequested: 8 } });
    await t.client.run("GetRandom", { auths: [withSession(s, { attributes: auditAttrs })], params: { bytesRequested: 16 } });
    let digest = Buffer.alloc(32);
    for (const i of [first, first + 1]) {
      const { cp, rp } = hashesOf(t, i, "sha256", TPM_CC.GetRandom);
      digest = H("sha256", digest, cp, rp);
    }
    const info = await sessionAuditInfo(t, s);
    expect(Buffer.from(info.sessionDigest)).to.deep.equal(digest);
    expect(info.exclusiveSession).to.equal(true);
  });

  it("reports exclusivity in auditExclusive until another command runs without the session", async () => {
    const s = await t.client.startSession();
    await t.client.run("GetRandom", { auths: [withSession(s, { attributes: auditAttrs })], params: { bytesRequested: 4 } });
    const attrsOf = (i: number) => {
      const r = t.wire[i]!.response;
      const params = r.readUInt32BE(10);
      return r[14 + params + 2 + r.readUInt16BE(14 + params)]!;
    };
    expect(attrsOf(t.wire.length - 1) & TPMA_SESSION.auditExclusive).to.not.equal(0);
    const exclusive = TPMA_SESSION.continueSession | TPMA_SESSION.audit | TPMA_SESSION.auditExclusive;
    expect((await t.client.call("GetRandom", { auths: [withSession(s, { attributes: exclusive })], params: { bytesRequested: 4 } })).rc).to.equal(TPM_RC.SUCCESS);
    await t.client.run("GetRandom", { params: { bytesRequested: 4 } });
    expect((await t.client.call("GetRandom", { auths: [withSession(s, { attributes: exclusive })], params: { bytesRequested: 4 } })).rc).to.equal(TPM_RC.EXCLUSIVE);
    const reset = exclusive | TPMA_SESSION.auditReset;
    expect((await t.client.call("GetRandom", { auths: [withSession(s, { attributes: reset })], params: { bytesRequested: 4 } })).rc).to.equal(TPM_RC.SUCCESS);
    const { cp, rp } = hashesOf(t, t.wire.length - 1, "sha256", TPM_CC.GetRandom);
    const info = await sessionAuditInfo(t, s);
    expect(Buffer.from(info.sessionDigest)).to.deep.equal(H("sha256", Buffer.alloc(32), cp, rp));
  });

  it("refuses audit on a policy session or on two sessions (TPM_RC_ATTRIBUTES + session)", async () => {
    const p = await t.client.startSession({ type: "policy" });
    expect((await t.client.call("GetRandom", { auths: [withSession(p, { attributes: auditAttrs })], params: { bytesRequested: 4 } })).rc).to.equal(
      TPM_RC.ATTRIBUTES | 0x800 | 0x100,
    );
    const a = await t.client.startSession();
    const b = await t.client.startSession();
    const out = await t.client.call("GetRandom", { auths: [withSession(a, { attributes: auditAttrs }), withSession(b, { attributes: auditAttrs })], params: { bytesRequested: 4 } });
    expect(out.rc).to.equal(TPM_RC.ATTRIBUTES | 0x800 | 0x200);
  });

  it("GetSessionAuditDigest wants a session used for audit (TPM_RC_TYPE + H3) and the endorsement hierarchy (TPM_RC_VALUE + H1)", async () => {
    const s = await t.client.startSession();
    const call = (privacy: number) =>
      t.client.call("GetSessionAuditDigest", { handles: [privacy, TPM_RH.NULL, s.handle], auths: [pw(), pw()], params: { qualifyingData: EMPTY, inScheme: NULL_SCHEME } });
    expect((await call(TPM_RH.ENDORSEMENT)).rc).to.equal(atHandle(TPM_RC.TYPE, 3));
    expect((await call(TPM_RH.OWNER)).rc).to.equal(atHandle(TPM_RC.VALUE, 1));
  });
});

describe("command audit", () => {
  it("audits the listed commands into a digest GetCommandAuditDigest reports (and then empties)", async () => {
    const t = await startedTpm();
    const setStatus = (auditAlg: number, setList: number[], clearList: number[] = []) =>
      t.client.run("SetCommandCodeAuditStatus", { handles: [TPM_RH.OWNER], auths: [pw()], params: { auditAlg, setList, clearList } });
    // a new audit hash empties the digest, so the command that sets it starts a new one (and counts), as libtpms does
    const start = t.wire.length;
    await setStatus(TPM_ALG.SHA384, []);
    await setStatus(TPM_ALG.NULL, [TPM_CC.GetRandom]);
    await t.client.run("GetRandom", { params: { bytesRequested: 8 } });
    await t.client.run("ReadClock", { params: {} });

    const owner = u32(TPM_RH.OWNER);
    const a = hashesOf(t, start, "sha384", TPM_CC.SetCommandCodeAuditStatus, [owner]);
    const b = hashesOf(t, start + 1, "sha384", TPM_CC.SetCommandCodeAuditStatus, [owner]);
    const c = hashesOf(t, start + 2, "sha384", TPM_CC.GetRandom);
    const expected = [a, b, c].reduce((d, x) => H("sha384", d, x.cp, x.rp), Buffer.alloc(48));

    const get = async () => {
      const out = await t.client.run("GetCommandAuditDigest", {
        handles: [TPM_RH.ENDORSEMENT, TPM_RH.NULL],
        auths: [pw(), pw()],
        params: { qualifyingData: Buffer.from("q"), inScheme: NULL_SCHEME },
      });
      return unmarshal(TPMS_ATTEST, out.auditInfo).attested as { auditCounter: bigint; digestAlg: number; auditDigest: Uint8Array; commandDigest: Uint8Array };
    };
    const info = await get();
    expect(info.digestAlg).to.equal(TPM_ALG.SHA384);
    expect(info.auditCounter).to.equal(1n);
    expect(Buffer.from(info.auditDigest)).to.deep.equal(expected);
    const codes = [TPM_CC.SetCommandCodeAuditStatus, TPM_CC.GetRandom].sort((x, y) => x - y);
    expect(Buffer.from(info.commandDigest)).to.deep.equal(H("sha384", ...codes.map(u32)));
    expect((await get()).auditDigest.length).to.equal(0);
  });

  it("refuses a new hash together with list changes (TPM_RC_VALUE + P1)", async () => {
    const t = await startedTpm();
    const out = await t.client.call("SetCommandCodeAuditStatus", {
      handles: [TPM_RH.OWNER],
      auths: [pw()],
      params: { auditAlg: TPM_ALG.SHA384, setList: [TPM_CC.GetRandom], clearList: [] },
    });
    expect(out.rc).to.equal(TPM_RC.VALUE | 0x40 | 0x100);
  });
});
