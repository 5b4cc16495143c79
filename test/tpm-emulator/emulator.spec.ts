import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { TPM_RC, TPM_RH, TPM_SU, TPM_ST, TpmClient, akTemplate, buildCommand, pw, rcName, srkTemplate } from "../../tpm2/index.js";
import { TpmEmulator, TpmStateFileError, stateFilePath } from "../../tpm-emulator/index.js";

function started(opts: Parameters<typeof TpmEmulator.create>[0] = {}) {
  const tpm = TpmEmulator.create(opts);
  const client = new TpmClient((c) => tpm.execute(c));
  return { tpm, client };
}

describe("TpmEmulator", () => {
  it("requires TPM2_Startup first, and accepts it only once", async () => {
    const { client } = started();
    const before = await client.call("GetRandom", { params: { bytesRequested: 8 } });
    expect(rcName(before.rc)).to.equal("TPM_RC_INITIALIZE");
    expect((await client.call("Startup", { params: { startupType: TPM_SU.CLEAR } })).rc).to.equal(TPM_RC.SUCCESS);
    expect((await client.call("Startup", { params: { startupType: TPM_SU.CLEAR } })).rc).to.equal(TPM_RC.INITIALIZE);
    const r = await client.run("GetRandom", { params: { bytesRequested: 16 } });
    expect(r.randomBytes).to.have.length(16);
  });

  it("answers garbage with a response code, never a throw", async () => {
    const { tpm, client } = started();
    await client.run("Startup", { params: { startupType: TPM_SU.CLEAR } });
    const inputs: Uint8Array[] = [
      new Uint8Array(),
      Buffer.from("8001", "hex"),
      Buffer.from("80010000000a0000017b", "hex"), // GetRandom without its parameter
      Buffer.from("80010000000c0000ffff0008", "hex"), // unknown command code
      Buffer.from("12340000000c0000017b0008", "hex"), // bad tag
      Buffer.from("80010000ffff0000017b0008", "hex"), // size mismatch
    ];
    for (let i = 0; i < 500; i++) inputs.push(Buffer.from(Array.from({ length: i % 40 }, (_, j) => (i * 31 + j * 7) & 0xff)));
    for (const input of inputs) {
      const out = await tpm.execute(input);
      expect(out.length).to.be.at.least(10);
      const rb = Buffer.from(out);
      expect(rb.readUInt32BE(2)).to.equal(out.length);
      if (input.length >= 10) expect(rb.readUInt32BE(6)).to.not.equal(0);
    }
    expect(Buffer.from(await tpm.execute(Buffer.from("80010000000a0000017b", "hex"))).readUInt32BE(6)).to.equal(
      TPM_RC.INSUFFICIENT | 0x040 | 0x100,
    );
    expect(Buffer.from(await tpm.execute(Buffer.from("80010000000c0000ffff0008", "hex"))).readUInt32BE(6)).to.equal(
      TPM_RC.COMMAND_CODE,
    );
    expect(Buffer.from(await tpm.execute(Buffer.from("12340000000c0000017b0008", "hex"))).readUInt32BE(6)).to.equal(
      TPM_RC.BAD_TAG,
    );
    const ok = await client.run("GetRandom", { params: { bytesRequested: 4 } });
    expect(ok.randomBytes).to.have.length(4);
    expect(buildCommand(0x17b, [], [], Buffer.from([0, 4])).readUInt16BE(0)).to.equal(TPM_ST.NO_SESSIONS);
  });

  describe("state directory", () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(path.join(tmpdir(), "apsim-tpm-"));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it("keeps NV across processes and counts resets", async () => {
      const a = TpmEmulator.create({ stateDir: dir, vendor: "STM" });
      const ca = new TpmClient((c) => a.execute(c));
      await ca.run("Startup", { params: { startupType: TPM_SU.CLEAR } });
      const resets = a.runtime.state.resetCount;
      a.powerOff();
      const b = TpmEmulator.open(dir);
      expect(b.runtime.state.identity.vendor).to.equal("STM");
      expect(b.runtime.state.endorsement.seed).to.deep.equal(a.runtime.state.endorsement.seed);
      const cb = new TpmClient((c) => b.execute(c));
      await cb.run("Startup", { params: { startupType: TPM_SU.CLEAR } });
      expect(b.runtime.state.resetCount).to.equal(resets + 1);
    });

    it("keeps a persisted child key with its qualified name when the state is reopened", async () => {
      const a = TpmEmulator.create({ stateDir: dir });
      const ca = new TpmClient((c) => a.execute(c));
      await ca.run("Startup", { params: { startupType: TPM_SU.CLEAR } });
      const none = { userAuth: Buffer.alloc(0), data: Buffer.alloc(0) };
      const srk = await ca.run("CreatePrimary", {
        handles: [TPM_RH.OWNER],
        auths: [pw()],
        params: { inSensitive: none, inPublic: srkTemplate("ecc"), outsideInfo: Buffer.alloc(0), creationPCR: [] },
      });
      const k = await ca.run("Create", {
        handles: [srk.handle],
        auths: [pw()],
        params: { inSensitive: none, inPublic: akTemplate("ecc"), outsideInfo: Buffer.alloc(0), creationPCR: [] },
      });
      const child = await ca.run("Load", { handles: [srk.handle], auths: [pw()], params: { inPrivate: k.outPrivate, inPublic: k.outPublic } });
      const before = await ca.run("ReadPublic", { handles: [child.handle], params: {} });
      await ca.run("EvictControl", { handles: [TPM_RH.OWNER, child.handle], auths: [pw()], params: { persistentHandle: 0x81000005 } });
      a.powerOff();
      const b = TpmEmulator.open(dir);
      const cb = new TpmClient((c) => b.execute(c));
      await cb.run("Startup", { params: { startupType: TPM_SU.CLEAR } });
      const after = await cb.run("ReadPublic", { handles: [0x81000005], params: {} });
      expect(Buffer.from(after.name)).to.deep.equal(Buffer.from(before.name));
      expect(Buffer.from(after.qualifiedName)).to.deep.equal(Buffer.from(before.qualifiedName));
    });

    it("refuses a truncated or corrupt state file with an error naming it", () => {
      TpmEmulator.create({ stateDir: dir });
      const file = stateFilePath(dir);
      writeFileSync(file, Buffer.from("a26a6e6f742061207374617465", "hex"));
      expect(() => TpmEmulator.open(dir)).to.throw(TpmStateFileError, file);
      writeFileSync(file, Buffer.alloc(0));
      try {
        TpmEmulator.open(dir);
        expect.fail("opened an empty state file");
      } catch (e) {
        expect(e).to.be.instanceOf(TpmStateFileError);
        expect((e as TpmStateFileError).code).to.equal("TPM_STATE_CORRUPT");
      }
      rmSync(file);
      expect(() => TpmEmulator.open(dir)).to.throw(TpmStateFileError, /no TPM state/);
    });
  });

  it("derives the same hierarchy seeds from the same manufacturing seed", () => {
    const seed = Buffer.alloc(32, 7);
    const a = TpmEmulator.create({ seed });
    const b = TpmEmulator.create({ seed });
    const c = TpmEmulator.create({ seed: Buffer.alloc(32, 8) });
    expect(a.runtime.state.endorsement.seed).to.deep.equal(b.runtime.state.endorsement.seed);
    expect(a.runtime.state.endorsement.seed).to.not.deep.equal(c.runtime.state.endorsement.seed);
  });
});
