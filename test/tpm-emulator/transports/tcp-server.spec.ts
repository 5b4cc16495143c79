import { expect } from "chai";
import { connect, type Socket } from "node:net";
import { TPM_RC, TPM_RH, TPM_SU, TpmClient, buildCommand, ekTemplateEcc, pw } from "../../../tpm2/index.js";
import { TpmEmulator, serveTpm, type TpmServer } from "../../../tpm-emulator/index.js";

/** A connected socket with a byte-exact reader, for speaking the wire protocols by hand. */
async function open(port: number): Promise<{ s: Socket; read: (n: number) => Promise<Buffer>; closed: Promise<void> }> {
  const s = connect(port, "127.0.0.1");
  await new Promise<void>((resolve, reject) => s.once("connect", resolve).once("error", reject));
  let buf = Buffer.alloc(0);
  let wake: (() => void) | undefined;
  let ended = false;
  s.on("data", (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    wake?.();
  });
  const closed = new Promise<void>((resolve) =>
    s.on("close", () => {
      ended = true;
      wake?.();
      resolve();
    }),
  );
  const read = async (n: number) => {
    while (buf.length < n) {
      if (ended) throw new Error(`connection closed with ${buf.length}/${n} bytes`);
      await new Promise<void>((r) => (wake = r));
    }
    const out = buf.subarray(0, n);
    buf = buf.subarray(n);
    return out;
  };
  return { s, read, closed };
}

const u32 = (v: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v);
  return b;
};
const getRandom8 = buildCommand(0x17b, [], [], Buffer.from([0, 8]));
const startupClear = buildCommand(0x144, [], [], Buffer.from([0, TPM_SU.CLEAR]));

async function rawCall(port: number, command: Uint8Array): Promise<Buffer> {
  const c = await open(port);
  c.s.write(command);
  const header = await c.read(10);
  const rest = await c.read(header.readUInt32BE(2) - 10);
  c.s.end();
  return Buffer.concat([header, rest]);
}

describe("TPM sockets", () => {
  describe("swtpm protocol (TCTI swtpm)", () => {
    let tpm: TpmEmulator;
    let server: TpmServer;
    beforeEach(async () => {
      tpm = TpmEmulator.create();
      server = await serveTpm(tpm, { protocol: "swtpm", port: 0 });
    });
    afterEach(() => server.close());

    it("answers the control channel as swtpm does", async () => {
      const c = await open(server.controlPort);
      c.s.write(Buffer.concat([u32(5), Buffer.from([0])]));
      expect(await c.read(4)).to.deep.equal(u32(0));
      c.s.write(u32(1));
      expect((await c.read(8)).readBigUInt64BE(0) & 0x8n).to.equal(0x8n);
      c.s.write(Buffer.concat([u32(17), u32(4096)]));
      expect((await c.read(16)).readUInt32BE(0)).to.equal(0);
      c.s.write(u32(0x99));
      expect((await c.read(4)).readUInt32BE(0)).to.not.equal(0);
      await c.closed;
    });

    it("serves one command per connection and many on one connection", async () => {
      expect((await rawCall(server.port, startupClear)).readUInt32BE(6)).to.equal(0);
      for (let i = 0; i < 5; i++) expect((await rawCall(server.port, getRandom8)).length).to.equal(10 + 2 + 8);
      const c = await open(server.port);
      for (let i = 0; i < 20; i++) {
        c.s.write(getRandom8);
        const h = await c.read(10);
        expect(h.readUInt32BE(6)).to.equal(0);
        await c.read(h.readUInt32BE(2) - 10);
      }
      c.s.end();
    });

    it("answers a frame with an impossible size with TPM_RC_COMMAND_SIZE and stays up; a half frame changes nothing", async () => {
      await rawCall(server.port, startupClear);
      const bad = await open(server.port);
      bad.s.write(Buffer.from("80010000000200000000", "hex"));
      expect((await bad.read(10)).readUInt32BE(6)).to.equal(TPM_RC.COMMAND_SIZE);
      await bad.closed;
      const half = await open(server.port);
      half.s.write(getRandom8.subarray(0, 7));
      half.s.destroy();
      await half.closed;
      expect((await rawCall(server.port, getRandom8)).readUInt32BE(6)).to.equal(0);
      expect(tpm.runtime.started).to.equal(true);
    });

    it("CMD_INIT power-cycles the TPM: TPM2_Startup is needed again", async () => {
      await rawCall(server.port, startupClear);
      const c = await open(server.controlPort);
      c.s.write(Buffer.concat([u32(2), u32(0)]));
      expect(await c.read(4)).to.deep.equal(u32(0));
      c.s.end();
      expect((await rawCall(server.port, getRandom8)).readUInt32BE(6)).to.equal(TPM_RC.INITIALIZE);
    });
  });

  describe("TCG simulator protocol (TCTI mssim)", () => {
    let tpm: TpmEmulator;
    let server: TpmServer;
    beforeEach(async () => {
      tpm = TpmEmulator.create();
      server = await serveTpm(tpm, { protocol: "mssim", port: 0 });
    });
    afterEach(() => server.close());

    const send = async (c: Awaited<ReturnType<typeof open>>, command: Buffer, locality = 0) => {
      c.s.write(Buffer.concat([u32(8), Buffer.from([locality]), u32(command.length), command]));
      const len = (await c.read(4)).readUInt32BE(0);
      const response = await c.read(len);
      expect(await c.read(4)).to.deep.equal(u32(0));
      return response;
    };

    it("frames commands with locality and a trailing acknowledgement; POWER_ON and NV_ON are idempotent", async () => {
      const platform = await open(server.controlPort);
      for (const cmd of [1, 11]) {
        platform.s.write(u32(cmd));
        expect(await platform.read(4)).to.deep.equal(u32(0));
      }
      const c = await open(server.port);
      c.s.write(Buffer.concat([u32(15), u32(1)]));
      expect((await c.read(12)).readUInt32BE(0)).to.equal(1);
      expect((await send(c, startupClear)).readUInt32BE(6)).to.equal(0);
      // a TSS process start sends POWER_ON and NV_ON again: the TPM must stay started
      for (const cmd of [1, 11]) {
        platform.s.write(u32(cmd));
        expect(await platform.read(4)).to.deep.equal(u32(0));
      }
      expect((await send(c, getRandom8)).readUInt32BE(6)).to.equal(0);
      expect((await send(c, startupClear)).readUInt32BE(6)).to.equal(TPM_RC.INITIALIZE);
      c.s.write(u32(20));
      await c.closed;
      platform.s.end();
    });

    it("asserts physical presence on the platform's PHYS_PRES_ON and drops it on PHYS_PRES_OFF (TPM2_PP_Commands)", async () => {
      const c = await open(server.port);
      const client = new TpmClient((command) => send(c, Buffer.from(command)));
      await client.run("Startup", { params: { startupType: TPM_SU.CLEAR } });
      const ppCommands = async () =>
        (await client.call("PP_Commands", { handles: [TPM_RH.PLATFORM], auths: [pw()], params: { setList: [], clearList: [] } })).rc;
      const platform = await open(server.controlPort);
      const signal = async (cmd: number) => {
        platform.s.write(u32(cmd));
        expect(await platform.read(4)).to.deep.equal(u32(0));
      };
      expect(await ppCommands()).to.equal(TPM_RC.PP | 0x900);
      await signal(3);
      expect(await ppCommands()).to.equal(TPM_RC.SUCCESS);
      await signal(4);
      expect(await ppCommands()).to.equal(TPM_RC.PP | 0x900);
      platform.s.end();
      c.s.end();
    });

    it("resets on the platform's RESET and closes on an unknown platform command", async () => {
      const c = await open(server.port);
      await send(c, startupClear);
      const platform = await open(server.controlPort);
      platform.s.write(u32(17));
      expect(await platform.read(4)).to.deep.equal(u32(0));
      expect((await send(c, getRandom8)).readUInt32BE(6)).to.equal(TPM_RC.INITIALIZE);
      platform.s.write(u32(0x77));
      expect(await platform.read(4)).to.deep.equal(u32(1));
      await platform.closed;
      c.s.end();
    });
  });

  it("with 3 object slots runs out of object memory like a small hardware TPM (TPM_RC_OBJECT_MEMORY)", async () => {
    const tpm = TpmEmulator.create({ limits: { objectSlots: 3 } });
    const client = new TpmClient((c) => tpm.execute(c));
    await client.run("Startup", { params: { startupType: TPM_SU.CLEAR } });
    const create = () =>
      client.call("CreatePrimary", {
        handles: [TPM_RH.OWNER],
        auths: [pw()],
        params: { inSensitive: { userAuth: Buffer.alloc(0), data: Buffer.alloc(0) }, inPublic: ekTemplateEcc(), outsideInfo: Buffer.alloc(0), creationPCR: [] },
      });
    for (let i = 0; i < 3; i++) expect((await create()).rc).to.equal(TPM_RC.SUCCESS);
    expect((await create()).rc).to.equal(TPM_RC.OBJECT_MEMORY);
  });
});
