import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { TPMA_NV, TPM_ALG, TPM_CAP, TPM_CC, TPM_NT, TPM_RC, TPM_RH, TPM_SU, TpmClient, pw } from "../../tpm2/index.js";
import { decodeCbor, encodeCbor } from "../../lib/index.js";
import { TpmEmulator, stateFilePath } from "../../tpm-emulator/index.js";
import { STATE_FORMAT_VERSION } from "../../tpm-emulator/state.js";

/** A TPM that is started, and a way to cut its power and bring it back from its state directory. */
async function started(emulator: TpmEmulator): Promise<TpmClient> {
  const client = new TpmClient((c) => emulator.execute(c));
  await client.run("Startup", { params: { startupType: TPM_SU.CLEAR } });
  return client;
}

describe("TPM state file (format 2)", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "apsim-tpm-state-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function restart(before: TpmEmulator): TpmEmulator {
    before.powerOff();
    return TpmEmulator.open(dir);
  }

  it("keeps the command audit hash, list, counter and digest across a restart", async () => {
    const a = TpmEmulator.create({ stateDir: dir });
    const ca = await started(a);
    await ca.run("SetCommandCodeAuditStatus", { handles: [TPM_RH.OWNER], auths: [pw()], params: { auditAlg: TPM_ALG.SHA384, setList: [], clearList: [] } });
    await ca.run("SetCommandCodeAuditStatus", { handles: [TPM_RH.OWNER], auths: [pw()], params: { auditAlg: TPM_ALG.NULL, setList: [TPM_CC.GetRandom], clearList: [] } });
    await ca.run("GetRandom", { params: { bytesRequested: 8 } });
    const audit = a.runtime.state.commandAudit;
    expect(audit.counter).to.equal(1n);
    const digest = Buffer.from(audit.digest!);

    const b = restart(a);
    expect(b.runtime.state.commandAudit.hashAlg).to.equal(TPM_ALG.SHA384);
    expect(b.runtime.state.commandAudit.counter).to.equal(1n);
    expect(Buffer.from(b.runtime.state.commandAudit.digest!)).to.deep.equal(digest);
    const cb = new TpmClient((c) => b.execute(c));
    await cb.run("Startup", { params: { startupType: TPM_SU.CLEAR } });
    const caps = await cb.run("GetCapability", { params: { capability: TPM_CAP.AUDIT_COMMANDS, property: 0, propertyCount: 10 } });
    expect(caps.capabilityData.data).to.deep.equal([TPM_CC.SetCommandCodeAuditStatus, TPM_CC.GetRandom]);
  });

  it("applies a PCR_Allocate made before a restart at the next Startup(CLEAR), and keeps the allocation", async () => {
    const a = TpmEmulator.create({ stateDir: dir });
    const ca = await started(a);
    const all = Buffer.from([0xff, 0xff, 0xff]);
    const none = Buffer.alloc(3);
    const rc = (
      await ca.call("PCR_Allocate", {
        handles: [TPM_RH.PLATFORM],
        auths: [pw()],
        params: { pcrAllocation: [{ hash: TPM_ALG.SHA1, pcrSelect: none }, { hash: TPM_ALG.SHA256, pcrSelect: all }, { hash: TPM_ALG.SHA384, pcrSelect: all }] },
      })
    ).rc;
    expect(rc).to.equal(TPM_RC.SUCCESS);
    expect([...a.runtime.pcrs.keys()]).to.deep.equal([TPM_ALG.SHA1, TPM_ALG.SHA256]);

    const b = restart(a);
    await started(b);
    expect([...b.runtime.pcrs.keys()]).to.deep.equal([TPM_ALG.SHA256, TPM_ALG.SHA384]);
    const c = restart(b);
    await started(c);
    expect([...c.runtime.pcrs.keys()]).to.deep.equal([TPM_ALG.SHA256, TPM_ALG.SHA384]);
  });

  it("keeps lockoutAuth disabled after a failure across a restart, until lockoutRecovery passes", async () => {
    const a = TpmEmulator.create({ stateDir: dir });
    const ca = await started(a);
    await ca.run("HierarchyChangeAuth", { handles: [TPM_RH.LOCKOUT], auths: [pw()], params: { newAuth: Buffer.from("lock") } });
    expect((await ca.call("DictionaryAttackLockReset", { handles: [TPM_RH.LOCKOUT], auths: [pw("wrong")], params: {} })).rc).to.equal(
      TPM_RC.AUTH_FAIL | 0x900,
    );

    const b = restart(a);
    const cb = await started(b);
    expect((await cb.call("DictionaryAttackLockReset", { handles: [TPM_RH.LOCKOUT], auths: [pw("lock")], params: {} })).rc).to.equal(TPM_RC.LOCKOUT);
  });

  it("starts a counter defined after a deleted one above the deleted one's count, across a restart", async () => {
    const a = TpmEmulator.create({ stateDir: dir });
    const ca = await started(a);
    const counter = (nvIndex: number) => ({
      nvIndex,
      nameAlg: TPM_ALG.SHA256,
      attributes: TPMA_NV.OWNERWRITE | TPMA_NV.OWNERREAD | (TPM_NT.COUNTER << TPMA_NV.TPM_NT_SHIFT),
      authPolicy: Buffer.alloc(0),
      dataSize: 8,
    });
    const define = (client: TpmClient, nvIndex: number) =>
      client.run("NV_DefineSpace", { handles: [TPM_RH.OWNER], auths: [pw()], params: { auth: Buffer.alloc(0), publicInfo: counter(nvIndex) } });
    const increment = (client: TpmClient, nvIndex: number) => client.run("NV_Increment", { handles: [TPM_RH.OWNER, nvIndex], auths: [pw()], params: {} });
    const read = async (client: TpmClient, nvIndex: number) =>
      Buffer.from((await client.run("NV_Read", { handles: [TPM_RH.OWNER, nvIndex], auths: [pw()], params: { size: 8, offset: 0 } })).data).readBigUInt64BE();

    await define(ca, 0x01500010);
    for (let i = 0; i < 5; i++) await increment(ca, 0x01500010);
    await ca.run("NV_UndefineSpace", { handles: [TPM_RH.OWNER, 0x01500010], auths: [pw()], params: {} });

    const b = restart(a);
    const cb = await started(b);
    await define(cb, 0x01500011);
    await increment(cb, 0x01500011);
    expect(await read(cb, 0x01500011)).to.equal(6n);
  });

  it("migrates a format-1 file: the new fields get what a new TPM has", () => {
    TpmEmulator.create({ stateDir: dir });
    const file = stateFilePath(dir);
    const doc = decodeCbor(readFileSync(file)) as { magic: string; version: number; state: Record<string, unknown> };
    expect(doc.version).to.equal(STATE_FORMAT_VERSION);
    for (const field of ["maxNvCounter", "lockoutAuthEnabled", "commandAudit", "pcrBanks", "pendingPcrAllocation", "ppCommands"]) delete doc.state[field];
    writeFileSync(file, encodeCbor({ ...doc, version: 1 }));

    const migrated = TpmEmulator.open(dir).runtime.state;
    expect(migrated.maxNvCounter).to.equal(0n);
    expect(migrated.lockoutAuthEnabled).to.equal(true);
    expect(migrated.commandAudit.commands).to.deep.equal([TPM_CC.SetCommandCodeAuditStatus]);
    expect(migrated.pcrBanks).to.deep.equal([TPM_ALG.SHA1, TPM_ALG.SHA256]);
    expect(migrated.pendingPcrAllocation).to.equal(undefined);
    expect(migrated.ppCommands).to.deep.equal([TPM_CC.PP_Commands]);
  });
});
