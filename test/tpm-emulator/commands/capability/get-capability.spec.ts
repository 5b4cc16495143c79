import { expect } from "chai";
import {
  COMMANDS,
  TPM_ALG,
  TPM_CAP,
  TPM_CC,
  TPM_ECC_CURVE,
  TPM_PT,
  TPM_PT_PCR,
  TPM_RC,
  TPM_RC_1,
  TPM_RC_P,
  TPM_RH,
  TPMA_ALGORITHM,
  TPMA_CC,
  TPMA_PERMANENT,
  TPMA_STARTUP_CLEAR,
  pw,
} from "../../../../tpm2/index.js";
import { COMMAND_TABLE } from "../../../../tpm-emulator/commands/index.js";
import { loadEccKey, startedTpm, type StartedTpm } from "../session/support.js";

const param = (rc: number, n: number) => rc | TPM_RC_P | (n * TPM_RC_1);

describe("TPM2_GetCapability", () => {
  let t: StartedTpm;
  beforeEach(async () => {
    t = await startedTpm({ vendor: "IFX" });
  });

  async function get(capability: number, property: number, propertyCount: number) {
    const r = await t.client.run("GetCapability", { params: { capability, property, propertyCount } });
    expect(r.capabilityData.capability).to.equal(capability);
    return { moreData: r.moreData, data: r.capabilityData.data as unknown[] };
  }

  async function properties(start: number, count = 127): Promise<Map<number, number>> {
    const { data } = await get(TPM_CAP.TPM_PROPERTIES, start, count);
    return new Map((data as { property: number; value: number }[]).map((p) => [p.property, p.value]));
  }

  describe("TPM_CAP_ALGS", () => {
    it("lists the algorithms in ascending order with their TPMA_ALGORITHM", async () => {
      const { moreData, data } = await get(TPM_CAP.ALGS, 0, 127);
      const algs = data as { alg: number; algProperties: number }[];
      expect(moreData).to.equal(false);
      expect(algs.map((a) => a.alg)).to.deep.equal([...algs.map((a) => a.alg)].sort((a, b) => a - b));
      const props = new Map(algs.map((a) => [a.alg, a.algProperties]));
      expect(props.get(TPM_ALG.SHA256)).to.equal(TPMA_ALGORITHM.hash);
      expect(props.get(TPM_ALG.RSA)).to.equal(TPMA_ALGORITHM.asymmetric | TPMA_ALGORITHM.object);
      expect(props.get(TPM_ALG.AES)).to.equal(TPMA_ALGORITHM.symmetric);
      expect(props.get(TPM_ALG.ECDSA)).to.equal(TPMA_ALGORITHM.asymmetric | TPMA_ALGORITHM.signing);
      expect(props.get(TPM_ALG.CFB)).to.equal(TPMA_ALGORITHM.symmetric | TPMA_ALGORITHM.encrypting);
    });

    it("pages from the requested algorithm with moreData", async () => {
      const first = await get(TPM_CAP.ALGS, TPM_ALG.SHA256, 2);
      expect(first.moreData).to.equal(true);
      expect((first.data as { alg: number }[]).map((a) => a.alg)).to.deep.equal([TPM_ALG.SHA256, TPM_ALG.SHA384]);
    });
  });

  describe("TPM_CAP_HANDLES", () => {
    it("lists PCRs, permanent handles, NV indices, loaded objects and sessions", async () => {
      expect((await get(TPM_CAP.HANDLES, 22, 10)).data).to.deep.equal([22, 23]);
      const permanent = await get(TPM_CAP.HANDLES, 0x40000000, 3);
      expect(permanent).to.deep.equal({ moreData: true, data: [TPM_RH.OWNER, TPM_RH.NULL, TPM_RH.PW] });

      for (const index of [0x01500002, 0x01500001]) {
        await t.client.run("NV_DefineSpace", {
          handles: [TPM_RH.OWNER],
          auths: [pw()],
          params: { auth: Buffer.alloc(0), publicInfo: { nvIndex: index, nameAlg: TPM_ALG.SHA256, attributes: 0x60006, authPolicy: Buffer.alloc(0), dataSize: 4 } },
        });
      }
      expect((await get(TPM_CAP.HANDLES, 0x01000000, 10)).data).to.deep.equal([0x01500001, 0x01500002]);
      expect(await get(TPM_CAP.HANDLES, 0x01000000, 1)).to.deep.equal({ moreData: true, data: [0x01500001] });

      const key = loadEccKey(t.tpm);
      expect((await get(TPM_CAP.HANDLES, 0x80000000, 10)).data).to.deep.equal([key.handle]);

      const hmac = await t.client.startSession();
      const policy = await t.client.startSession({ type: "policy" });
      expect((await get(TPM_CAP.HANDLES, 0x02000000, 10)).data).to.deep.equal([hmac.handle, policy.handle]);
      expect((await get(TPM_CAP.HANDLES, 0x03000000, 10)).data).to.deep.equal([]);
    });

    it("refuses a handle type without a list (TPM_RC_HANDLE on property)", async () => {
      const r = await t.client.call("GetCapability", { params: { capability: TPM_CAP.HANDLES, property: 0x05000000, propertyCount: 1 } });
      expect(r.rc).to.equal(param(TPM_RC.HANDLE, 2));
    });
  });

  describe("TPM_CAP_COMMANDS", () => {
    it("lists every implemented command with its TPMA_CC", async () => {
      const { moreData, data } = await get(TPM_CAP.COMMANDS, 0, 254);
      expect(moreData).to.equal(false);
      const byCode = new Map((data as number[]).map((a) => [a & TPMA_CC.commandIndexMask, a]));
      expect([...byCode.keys()]).to.deep.equal([...COMMAND_TABLE.keys()].sort((a, b) => a - b));
      const cHandles = (a: number) => (a >>> TPMA_CC.cHandlesShift) & 7;
      for (const [code, entry] of COMMAND_TABLE) {
        const a = byCode.get(code)!;
        expect(cHandles(a), entry.def.name).to.equal(entry.def.handles.length);
        expect((a & TPMA_CC.rHandle) !== 0, entry.def.name).to.equal(entry.def.responseHandle !== undefined);
      }
      expect(byCode.get(TPM_CC.StartAuthSession)).to.equal(0x14000176);
      expect(byCode.get(TPM_CC.NV_Write)! & TPMA_CC.nv).to.equal(TPMA_CC.nv);
      expect(byCode.get(TPM_CC.NV_Read)! & TPMA_CC.nv).to.equal(0);
      expect(byCode.get(TPM_CC.Clear)! & TPMA_CC.extensive).to.equal(TPMA_CC.extensive);
    });

    it("starts at the requested command code", async () => {
      const { moreData, data } = await get(TPM_CAP.COMMANDS, COMMANDS.GetCapability.code, 1);
      expect(moreData).to.equal(true);
      expect(data).to.deep.equal([COMMANDS.GetCapability.code]);
    });
  });

  describe("TPM_CAP_PCRS and TPM_CAP_PCR_PROPERTIES", () => {
    it("reports the SHA-1 and SHA-256 banks allocated with all 24 PCRs, the other hashes with none", async () => {
      const { data } = await get(TPM_CAP.PCRS, 0, 1);
      expect(data).to.deep.equal([
        { hash: TPM_ALG.SHA1, pcrSelect: Buffer.from("ffffff", "hex") },
        { hash: TPM_ALG.SHA256, pcrSelect: Buffer.from("ffffff", "hex") },
        { hash: TPM_ALG.SHA384, pcrSelect: Buffer.from("000000", "hex") },
        { hash: TPM_ALG.SHA512, pcrSelect: Buffer.from("000000", "hex") },
      ]);
      const r = await t.client.call("GetCapability", { params: { capability: TPM_CAP.PCRS, property: 1, propertyCount: 1 } });
      expect(r.rc).to.equal(param(TPM_RC.VALUE, 2));
    });

    it("reports the PC Client PCR attributes", async () => {
      const { data } = await get(TPM_CAP.PCR_PROPERTIES, 0, 100);
      const byTag = new Map((data as { tag: number; pcrSelect: Uint8Array }[]).map((p) => [p.tag, Buffer.from(p.pcrSelect).toString("hex")]));
      expect(byTag.get(TPM_PT_PCR.EXTEND_L0)).to.equal("ffff81");
      expect(byTag.get(TPM_PT_PCR.RESET_L0)).to.equal("000081");
      expect(byTag.get(TPM_PT_PCR.DRTM_RESET)).to.equal("00007e");
      expect(byTag.get(TPM_PT_PCR.NO_INCREMENT)).to.equal("0000e1");
      expect(await get(TPM_CAP.PCR_PROPERTIES, TPM_PT_PCR.POLICY, 1)).to.deep.equal({
        moreData: true,
        data: [{ tag: TPM_PT_PCR.POLICY, pcrSelect: Buffer.from("000070", "hex") }],
      });
    });
  });

  describe("TPM_CAP_TPM_PROPERTIES", () => {
    it("reports the vendor's identity and this TPM's limits in the fixed group", async () => {
      const p = await properties(TPM_PT.PT_FIXED);
      const id = t.tpm.runtime.state.identity;
      expect(p.get(TPM_PT.FAMILY_INDICATOR)).to.equal(0x322e3000);
      expect(p.get(TPM_PT.MANUFACTURER)).to.equal(0x49465800);
      expect(Buffer.from(p.get(TPM_PT.VENDOR_STRING_1)!.toString(16), "hex").toString()).to.equal("SLB9");
      expect(p.get(TPM_PT.REVISION)).to.equal(id.specRevision);
      expect(p.get(TPM_PT.FIRMWARE_VERSION_1)).to.equal(id.firmwareVersion1);
      expect(p.get(TPM_PT.PCR_COUNT)).to.equal(24);
      expect(p.get(TPM_PT.PCR_SELECT_MIN)).to.equal(3);
      expect(p.get(TPM_PT.HR_TRANSIENT_MIN)).to.equal(t.tpm.runtime.limits.objectSlots);
      expect(p.get(TPM_PT.MAX_COMMAND_SIZE)).to.equal(4096);
      expect(p.get(TPM_PT.NV_BUFFER_MAX)).to.equal(1024);
      expect(p.get(TPM_PT.TOTAL_COMMANDS)).to.equal(COMMAND_TABLE.size);
      expect([...p.keys()].every((k) => k >= 0x100 && k < 0x200)).to.equal(true);
    });

    it("pages inside a group the way the reference does", async () => {
      const two = await get(TPM_CAP.TPM_PROPERTIES, 0, 2);
      expect(two.moreData).to.equal(true);
      expect((two.data as { property: number }[]).map((x) => x.property)).to.deep.equal([TPM_PT.FAMILY_INDICATOR, TPM_PT.LEVEL]);
      expect(await get(TPM_CAP.TPM_PROPERTIES, TPM_PT.MAX_CAP_BUFFER + 1, 2)).to.deep.equal({ moreData: false, data: [] });
      expect(await get(TPM_CAP.TPM_PROPERTIES, 0x300, 2)).to.deep.equal({ moreData: false, data: [] });
      expect((await get(TPM_CAP.TPM_PROPERTIES, TPM_PT.PERMANENT, 0)).moreData).to.equal(true);
    });

    it("reports live state in the variable group", async () => {
      let p = await properties(TPM_PT.PT_VAR);
      expect(p.get(TPM_PT.PERMANENT)! & TPMA_PERMANENT.ownerAuthSet).to.equal(0);
      expect(p.get(TPM_PT.STARTUP_CLEAR)! & (TPMA_STARTUP_CLEAR.shEnable | TPMA_STARTUP_CLEAR.ehEnable)).to.equal(
        TPMA_STARTUP_CLEAR.shEnable | TPMA_STARTUP_CLEAR.ehEnable,
      );
      await t.client.run("HierarchyChangeAuth", { handles: [TPM_RH.OWNER], auths: [pw()], params: { newAuth: Buffer.from("o") } });
      await t.client.startSession();
      p = await properties(TPM_PT.PT_VAR);
      expect(p.get(TPM_PT.PERMANENT)! & TPMA_PERMANENT.ownerAuthSet).to.equal(TPMA_PERMANENT.ownerAuthSet);
      expect(p.get(TPM_PT.HR_LOADED)).to.equal(1);
      expect(p.get(TPM_PT.HR_ACTIVE_AVAIL)).to.equal(t.tpm.runtime.limits.sessionSlots - 1);
      expect(p.get(TPM_PT.LOCKOUT_COUNTER)).to.equal(0);
    });
  });

  it("lists the ECC curves and the hierarchies' policies", async () => {
    expect(await get(TPM_CAP.ECC_CURVES, 0, 10)).to.deep.equal({ moreData: false, data: [TPM_ECC_CURVE.NIST_P256, TPM_ECC_CURVE.NIST_P384] });
    const { data } = await get(TPM_CAP.AUTH_POLICIES, 0x40000000, 10);
    expect((data as { handle: number }[]).map((p) => p.handle)).to.deep.equal([TPM_RH.OWNER, TPM_RH.LOCKOUT, TPM_RH.ENDORSEMENT, TPM_RH.PLATFORM]);
  });

  it("refuses an unknown capability (TPM_RC_VALUE on parameter 1)", async () => {
    for (const capability of [TPM_CAP.ACT, 0x0b, 0x100]) {
      const r = await t.client.call("GetCapability", { params: { capability, property: 0, propertyCount: 1 } });
      expect(r.rc).to.equal(param(TPM_RC.VALUE, 1));
    }
  });
});
