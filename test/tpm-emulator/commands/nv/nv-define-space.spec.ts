import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { TPM_NT, TPM_RC, TPM_RC_1, TPM_RC_H, TPM_RC_P, TPM_RH, TPM_SU, TpmClient } from "../../../../tpm2/index.js";
import { TpmEmulator } from "../../../../tpm-emulator/index.js";
import { startedTpm, type StartedTpm } from "../session/support.js";
import { A, EK_CERT_ATTRIBUTES, EK_CERT_INDEX, OWNER_INDEX, OWNER_RW, define, nvPublic, read, write } from "./support.js";

const param = (rc: number, n: number) => rc | TPM_RC_P | (n * TPM_RC_1);
const handle = (rc: number, n: number) => rc | TPM_RC_H | (n * TPM_RC_1);

describe("TPM2_NV_DefineSpace", () => {
  let t: StartedTpm;
  beforeEach(async () => {
    t = await startedTpm();
  });

  it("defines an owner index and a platform-created EK certificate index", async () => {
    expect((await define(t, TPM_RH.OWNER, nvPublic(OWNER_INDEX, OWNER_RW))).rc).to.equal(TPM_RC.SUCCESS);
    expect((await define(t, TPM_RH.PLATFORM, nvPublic(EK_CERT_INDEX, EK_CERT_ATTRIBUTES, 800))).rc).to.equal(TPM_RC.SUCCESS);
    const listed = await t.client.run("GetCapability", { params: { capability: 1, property: 0x01000000, propertyCount: 10 } });
    expect(listed.capabilityData.data).to.deep.equal([OWNER_INDEX, EK_CERT_INDEX]);
  });

  it("keeps the index across a restart of the TPM from its state directory", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "apsim-nv-"));
    try {
      const first = TpmEmulator.create({ stateDir: dir });
      const a = new TpmClient((c) => first.execute(c));
      await a.run("Startup", { params: { startupType: TPM_SU.CLEAR } });
      const s = { tpm: first, client: a, wire: [] };
      await define(s, TPM_RH.OWNER, nvPublic(OWNER_INDEX, OWNER_RW, 8));
      await write(s, TPM_RH.OWNER, OWNER_INDEX, Buffer.from("persists"));
      first.powerOff();

      const second = TpmEmulator.open(dir);
      const b = new TpmClient((c) => second.execute(c));
      await b.run("Startup", { params: { startupType: TPM_SU.CLEAR } });
      const r = await read({ tpm: second, client: b, wire: [] }, TPM_RH.OWNER, OWNER_INDEX, 8);
      expect(Buffer.from(r.response!.data).toString()).to.equal("persists");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("takes the index's authValue without trailing zeros", async () => {
    await define(t, TPM_RH.OWNER, nvPublic(OWNER_INDEX, OWNER_RW), Buffer.from("pin\0\0"));
    expect((await write(t, OWNER_INDEX, OWNER_INDEX, Buffer.from("x"), 0, "pin")).rc).to.equal(TPM_RC.SUCCESS);
  });

  it("refuses an index that is already defined", async () => {
    await define(t, TPM_RH.OWNER, nvPublic(OWNER_INDEX, OWNER_RW));
    expect((await define(t, TPM_RH.OWNER, nvPublic(OWNER_INDEX, OWNER_RW))).rc).to.equal(TPM_RC.NV_DEFINED);
  });

  it("needs owner or platform authorization, matching TPMA_NV_PLATFORMCREATE", async () => {
    expect((await define(t, TPM_RH.ENDORSEMENT, nvPublic(OWNER_INDEX, OWNER_RW))).rc).to.equal(handle(TPM_RC.VALUE, 1));
    expect((await define(t, TPM_RH.OWNER, nvPublic(OWNER_INDEX, OWNER_RW | A.PLATFORMCREATE))).rc).to.equal(handle(TPM_RC.ATTRIBUTES, 1));
    expect((await define(t, TPM_RH.PLATFORM, nvPublic(OWNER_INDEX, OWNER_RW))).rc).to.equal(handle(TPM_RC.ATTRIBUTES, 1));
  });

  it("refuses inconsistent attributes (TPM_RC_ATTRIBUTES on publicInfo)", async () => {
    const bad = [
      OWNER_RW | A.WRITTEN,
      OWNER_RW | A.WRITELOCKED,
      A.OWNERWRITE,
      A.OWNERREAD,
      OWNER_RW | A.CLEAR_STCLEAR | A.WRITEDEFINE,
      OWNER_RW | (TPM_NT.COUNTER << 4) | A.CLEAR_STCLEAR,
      OWNER_RW | (TPM_NT.PIN_PASS << 4),
      OWNER_RW | (3 << 4),
    ];
    for (const attributes of bad) {
      const size = attributes & 0xf0 ? 8 : 32;
      expect((await define(t, TPM_RH.OWNER, nvPublic(OWNER_INDEX, attributes, size))).rc, `0x${attributes.toString(16)}`).to.equal(
        param(TPM_RC.ATTRIBUTES, 2),
      );
    }
    expect((await define(t, TPM_RH.OWNER, nvPublic(OWNER_INDEX, OWNER_RW | (1 << 20)))).rc).to.equal(param(TPM_RC.RESERVED_BITS, 2));
  });

  it("checks sizes: data per type, the index limit, WRITEALL, authPolicy and auth", async () => {
    const size = async (attributes: number, dataSize: number, extra = {}) =>
      (await define(t, TPM_RH.OWNER, nvPublic(OWNER_INDEX, attributes, dataSize, extra))).rc;
    expect(await size(OWNER_RW, 2049)).to.equal(param(TPM_RC.SIZE, 2));
    expect(await size(OWNER_RW | A.WRITEALL, 1025)).to.equal(param(TPM_RC.SIZE, 2));
    expect(await size(OWNER_RW | (TPM_NT.COUNTER << 4), 4)).to.equal(param(TPM_RC.SIZE, 2));
    expect(await size(OWNER_RW | (TPM_NT.BITS << 4), 9)).to.equal(param(TPM_RC.SIZE, 2));
    expect(await size(OWNER_RW | (TPM_NT.EXTEND << 4), 20)).to.equal(param(TPM_RC.SIZE, 2));
    expect(await size(OWNER_RW, 8, { authPolicy: Buffer.alloc(20) })).to.equal(param(TPM_RC.SIZE, 2));
    const longAuth = await define(t, TPM_RH.OWNER, nvPublic(OWNER_INDEX, OWNER_RW), Buffer.alloc(33, 1));
    expect(longAuth.rc).to.equal(param(TPM_RC.SIZE, 1));
    expect(await size(OWNER_RW, 2048)).to.equal(TPM_RC.SUCCESS);
  });

  it("defines counter, bits and extend indices of the right size", async () => {
    expect((await define(t, TPM_RH.OWNER, nvPublic(0x01500001, OWNER_RW | (TPM_NT.COUNTER << 4), 8))).rc).to.equal(TPM_RC.SUCCESS);
    expect((await define(t, TPM_RH.OWNER, nvPublic(0x01500002, OWNER_RW | (TPM_NT.BITS << 4), 8))).rc).to.equal(TPM_RC.SUCCESS);
    expect((await define(t, TPM_RH.OWNER, nvPublic(0x01500003, OWNER_RW | (TPM_NT.EXTEND << 4), 32))).rc).to.equal(TPM_RC.SUCCESS);
  });

  it("runs out of NV space at the TPM's index limit", async () => {
    const small = await startedTpm({ limits: { nvIndices: 2 } });
    await define(small, TPM_RH.OWNER, nvPublic(0x01500001, OWNER_RW));
    await define(small, TPM_RH.OWNER, nvPublic(0x01500002, OWNER_RW));
    expect((await define(small, TPM_RH.OWNER, nvPublic(0x01500003, OWNER_RW))).rc).to.equal(TPM_RC.NV_SPACE);
  });
});
