// The yardstick for the NV and NV-policy response codes: the same misuse sent to the emulator and to swtpm
// (libtpms) must get the same code.
import { expect } from "chai";
import { createHash } from "node:crypto";
import {
  TPM_ALG,
  TPM_CC,
  TPM_EO,
  TPM_NT,
  TPM_RC,
  TPM_RH,
  TPM_SU,
  TpmClient,
  pw,
  rcName,
  withSession,
  type TPMS_NV_PUBLIC,
} from "../../../../tpm2/index.js";
import { TpmEmulator } from "../../../../tpm-emulator/index.js";
import { startSwtpm, type SwtpmInstance } from "../../../interop/support/swtpm.js";
import { requireTool } from "../../../interop/support/tools.js";
import { rawStream } from "../../../interop/support/raw-stream.js";
import { createPrimary, scheme, signingKeyTemplate, storageKeyTemplate } from "../key-fixture.js";
import { A, commandCodePolicy, nvPublic, ofType } from "./support.js";


const EMPTY = Buffer.alloc(0);
const RW = A.OWNERREAD | A.OWNERWRITE | A.NO_DA;
const u32 = (v: number) => Buffer.from([v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff]);
/** PolicySecret(TPM_RH_OWNER) with no policyRef: a policy with no command code in it. */
const OWNER_SECRET_POLICY = (() => {
  const inner = createHash("sha256").update(Buffer.alloc(32)).update(u32(TPM_CC.PolicySecret)).update(u32(TPM_RH.OWNER)).digest();
  return createHash("sha256").update(inner).digest();
})();

type Scenario = readonly [string, (c: TpmClient, index: number) => Promise<number>];

const define = async (c: TpmClient, pub: TPMS_NV_PUBLIC, hierarchy: number = TPM_RH.OWNER) =>
  (await c.call("NV_DefineSpace", { handles: [hierarchy], auths: [pw()], params: { auth: EMPTY, publicInfo: pub } })).rc;
const defined = async (c: TpmClient, pub: TPMS_NV_PUBLIC, hierarchy: number = TPM_RH.OWNER) => {
  const rc = await define(c, pub, hierarchy);
  if (rc !== TPM_RC.SUCCESS) throw new Error(`NV_DefineSpace failed: ${rcName(rc)}`);
  return pub.nvIndex;
};
const written = async (c: TpmClient, pub: TPMS_NV_PUBLIC, data: Buffer) => {
  await defined(c, pub);
  await c.run("NV_Write", { handles: [TPM_RH.OWNER, pub.nvIndex], auths: [pw()], params: { data, offset: 0 } });
  return pub.nvIndex;
};
const onIndex = async (c: TpmClient, name: "NV_Increment" | "NV_WriteLock" | "NV_ReadLock", auth: number, index: number) =>
  (await c.call(name, { handles: [auth, index], auths: [pw()], params: {} })).rc;
const policyNv = async (c: TpmClient, index: number, operandB: Buffer, offset: number, operation: number) => {
  const s = await c.startSession({ type: "policy" });
  return (await c.call("PolicyNV", { handles: [TPM_RH.OWNER, index, s.handle], auths: [pw()], params: { operandB, offset, operation } })).rc;
};
const ccSession = async (c: TpmClient, code: number) => {
  const s = await c.startSession({ type: "policy" });
  await c.run("PolicyCommandCode", { handles: [s.handle], params: { code } });
  return s;
};
const nvCertify = async (c: TpmClient, signer: number, index: number, size: number, offset: number) =>
  (await c.call("NV_Certify", { handles: [signer, TPM_RH.OWNER, index], auths: [pw(), pw()], params: { qualifyingData: EMPTY, inScheme: scheme(TPM_ALG.ECDSA), size, offset } })).rc;

const SCENARIOS: readonly Scenario[] = [
  ["NV_DefineSpace: POLICY_DELETE by the owner", async (c, i) => define(c, nvPublic(i, RW | A.POLICY_DELETE, 8, { authPolicy: commandCodePolicy(TPM_CC.NV_UndefineSpaceSpecial) }))],
  ["NV_DefineSpace: counter with CLEAR_STCLEAR", async (c, i) => define(c, nvPublic(i, ofType(TPM_NT.COUNTER, RW | A.CLEAR_STCLEAR), 8))],
  ["NV_DefineSpace: extend index of the wrong size", async (c, i) => define(c, nvPublic(i, ofType(TPM_NT.EXTEND, RW), 20))],
  ["NV_DefineSpace: bit field of 4 octets", async (c, i) => define(c, nvPublic(i, ofType(TPM_NT.BITS, RW), 4))],
  ["NV_Increment: ordinary index", async (c, i) => onIndex(c, "NV_Increment", TPM_RH.OWNER, await defined(c, nvPublic(i, RW, 8)))],
  ["NV_Increment: write-locked counter", async (c, i) => {
    await defined(c, nvPublic(i, ofType(TPM_NT.COUNTER, RW | A.WRITE_STCLEAR), 8));
    await onIndex(c, "NV_WriteLock", TPM_RH.OWNER, i);
    return onIndex(c, "NV_Increment", TPM_RH.OWNER, i);
  }],
  ["NV_Increment: platform without PPWRITE", async (c, i) => onIndex(c, "NV_Increment", TPM_RH.PLATFORM, await defined(c, nvPublic(i, ofType(TPM_NT.COUNTER, RW), 8)))],
  ["NV_Extend: counter", async (c, i) => (await c.call("NV_Extend", { handles: [TPM_RH.OWNER, await defined(c, nvPublic(i, ofType(TPM_NT.COUNTER, RW), 8))], auths: [pw()], params: { data: Buffer.from("x") } })).rc],
  ["NV_SetBits: extend index", async (c, i) => (await c.call("NV_SetBits", { handles: [TPM_RH.OWNER, await defined(c, nvPublic(i, ofType(TPM_NT.EXTEND, RW), 32))], auths: [pw()], params: { bits: 1n } })).rc],
  ["NV_WriteLock: neither WRITEDEFINE nor WRITE_STCLEAR", async (c, i) => onIndex(c, "NV_WriteLock", TPM_RH.OWNER, await defined(c, nvPublic(i, RW, 8)))],
  ["NV_WriteLock: platform on an owner index", async (c, i) => onIndex(c, "NV_WriteLock", TPM_RH.PLATFORM, await defined(c, nvPublic(i, RW | A.WRITE_STCLEAR, 8)))],
  ["NV_WriteLock: index auth without AUTHWRITE", async (c, i) => onIndex(c, "NV_WriteLock", i, await defined(c, nvPublic(i, RW | A.AUTHREAD | A.WRITE_STCLEAR, 8)))],
  ["NV_ReadLock: no READ_STCLEAR", async (c, i) => onIndex(c, "NV_ReadLock", TPM_RH.OWNER, await defined(c, nvPublic(i, RW, 8)))],
  ["NV_ReadLock: unwritten index", async (c, i) => onIndex(c, "NV_ReadLock", TPM_RH.OWNER, await defined(c, nvPublic(i, RW | A.READ_STCLEAR, 8)))],
  ["NV_ReadLock: index auth without AUTHREAD", async (c, i) => onIndex(c, "NV_ReadLock", i, await defined(c, nvPublic(i, RW | A.AUTHWRITE | A.READ_STCLEAR, 8)))],
  ["NV_GlobalWriteLock: endorsement handle", async (c) => (await c.call("NV_GlobalWriteLock", { handles: [TPM_RH.ENDORSEMENT], auths: [pw()], params: {} })).rc],
  ["NV_ChangeAuth: password session", async (c, i) => (await c.call("NV_ChangeAuth", { handles: [await defined(c, nvPublic(i, RW | A.AUTHWRITE, 8, { authPolicy: commandCodePolicy(TPM_CC.NV_ChangeAuth) }))], auths: [pw()], params: { newAuth: Buffer.from("n") } })).rc],
  ["NV_ChangeAuth: policy without a command code", async (c, i) => {
    await defined(c, nvPublic(i, RW, 8, { authPolicy: OWNER_SECRET_POLICY }));
    const s = await c.startSession({ type: "policy" });
    await c.run("PolicySecret", { handles: [TPM_RH.OWNER, s.handle], auths: [pw()], params: { nonceTPM: EMPTY, cpHashA: EMPTY, policyRef: EMPTY, expiration: 0 } });
    return (await c.call("NV_ChangeAuth", { handles: [i], auths: [withSession(s)], params: { newAuth: Buffer.from("n") } })).rc;
  }],
  ["NV_ChangeAuth: newAuth longer than the digest", async (c, i) => {
    await defined(c, nvPublic(i, RW, 8, { authPolicy: commandCodePolicy(TPM_CC.NV_ChangeAuth) }));
    return (await c.call("NV_ChangeAuth", { handles: [i], auths: [withSession(await ccSession(c, TPM_CC.NV_ChangeAuth))], params: { newAuth: Buffer.alloc(33, 1) } })).rc;
  }],
  ["NV_UndefineSpaceSpecial: no POLICY_DELETE", async (c, i) => {
    await defined(c, nvPublic(i | 0x00400000, A.PPREAD | A.PPWRITE | A.PLATFORMCREATE, 8, { authPolicy: commandCodePolicy(TPM_CC.NV_UndefineSpaceSpecial) }), TPM_RH.PLATFORM);
    const s = await ccSession(c, TPM_CC.NV_UndefineSpaceSpecial);
    const rc = (await c.call("NV_UndefineSpaceSpecial", { handles: [i | 0x00400000, TPM_RH.PLATFORM], auths: [withSession(s), pw()], params: {} })).rc;
    await c.call("NV_UndefineSpace", { handles: [TPM_RH.PLATFORM, i | 0x00400000], auths: [pw()], params: {} });
    return rc;
  }],
  ["NV_Certify: beyond the end", async (c, i) => nvCertify(c, (await createPrimary(c, TPM_RH.OWNER, signingKeyTemplate("ecc"))).handle, await written(c, nvPublic(i, RW, 8), Buffer.alloc(8)), 8, 4)],
  ["NV_Certify: unwritten index", async (c, i) => nvCertify(c, (await createPrimary(c, TPM_RH.OWNER, signingKeyTemplate("ecc"))).handle, await defined(c, nvPublic(i, RW, 8)), 4, 0)],
  ["NV_Certify: decryption key", async (c, i) => nvCertify(c, (await createPrimary(c, TPM_RH.OWNER, storageKeyTemplate("ecc"))).handle, await written(c, nvPublic(i, RW, 8), Buffer.alloc(8)), 4, 0)],
  ["PolicyNV: false comparison", async (c, i) => policyNv(c, await written(c, nvPublic(i, RW, 8), Buffer.alloc(8)), Buffer.from([1]), 0, TPM_EO.EQ)],
  ["PolicyNV: unknown operation", async (c, i) => policyNv(c, await written(c, nvPublic(i, RW, 8), Buffer.alloc(8)), Buffer.from([1]), 0, 0x0c)],
  ["PolicyNV: offset beyond the index", async (c, i) => policyNv(c, await written(c, nvPublic(i, RW, 8), Buffer.alloc(8)), Buffer.from([1]), 9, TPM_EO.EQ)],
  ["PolicyNV: operand past the end", async (c, i) => policyNv(c, await written(c, nvPublic(i, RW, 8), Buffer.alloc(8)), Buffer.alloc(4), 6, TPM_EO.EQ)],
  ["PolicyNV: unwritten index", async (c, i) => policyNv(c, await defined(c, nvPublic(i, RW, 8)), Buffer.from([1]), 0, TPM_EO.EQ)],
  ["PolicyNvWritten: conflicting assertion", async (c) => {
    const s = await c.startSession({ type: "policy" });
    await c.run("PolicyNvWritten", { handles: [s.handle], params: { writtenSet: true } });
    return (await c.call("PolicyNvWritten", { handles: [s.handle], params: { writtenSet: false } })).rc;
  }],
  ["PolicyAuthorizeNV: policy not the index's", async (c, i) => {
    const index = await written(c, nvPublic(i, RW, 34), Buffer.concat([Buffer.from([0, 0x0b]), Buffer.alloc(32, 7)]));
    const s = await ccSession(c, TPM_CC.NV_Read);
    return (await c.call("PolicyAuthorizeNV", { handles: [TPM_RH.OWNER, index, s.handle], auths: [pw()], params: {} })).rc;
  }],
  ["PolicyAuthorizeNV: index holding a SHA-1 policy", async (c, i) => {
    const index = await written(c, nvPublic(i, RW, 22), Buffer.concat([Buffer.from([0, 0x04]), Buffer.alloc(20, 7)]));
    const s = await ccSession(c, TPM_CC.NV_Read);
    return (await c.call("PolicyAuthorizeNV", { handles: [TPM_RH.OWNER, index, s.handle], auths: [pw()], params: {} })).rc;
  }],
  ["NV_Write: PolicyNvWritten(YES) on an unwritten index", async (c, i) => {
    const s = await c.startSession({ type: "policy" });
    await c.run("PolicyNvWritten", { handles: [s.handle], params: { writtenSet: true } });
    const policy = Buffer.from((await c.run("PolicyGetDigest", { handles: [s.handle], params: {} })).policyDigest);
    await defined(c, nvPublic(i, RW | A.POLICYWRITE, 8, { authPolicy: policy }));
    return (await c.call("NV_Write", { handles: [i, i], auths: [withSession(s)], params: { data: Buffer.from("x"), offset: 0 } })).rc;
  }],
];

describe("response codes match swtpm (libtpms) for NV and NV-policy misuse", function () {
  let swtpm: SwtpmInstance | undefined;
  let reference: TpmClient;

  before(async function () {
    requireTool(this, ["swtpm"]);
    swtpm = await startSwtpm();
    reference = new TpmClient(rawStream(swtpm.port));
  });
  after(async () => swtpm?.stop());

  /** swtpm has 3 object slots and no resource manager: flush what a scenario left behind. */
  afterEach(async () => {
    if (!swtpm) return;
    for (const base of [0x80000000, 0x02000000, 0x03000000]) {
      for (let i = 0; i < 4; i++) await reference.call("FlushContext", { params: { flushHandle: base + i } });
    }
  });

  SCENARIOS.forEach(([name, run], n) => {
    it(name, async () => {
      const index = 0x01500200 + n;
      const emulator = TpmEmulator.create({ seed: Buffer.alloc(32, 0x5a) });
      const client = new TpmClient((c) => emulator.execute(c));
      await client.run("Startup", { params: { startupType: TPM_SU.CLEAR } });
      const ours = await run(client, index);
      const theirs = await run(reference, index);
      expect(rcName(ours)).to.equal(rcName(theirs));
    });
  });
});
