import { expect } from "chai";
import {
  EK_ATTRIBUTES,
  EK_POLICY_SHA256,
  TPM2B_PUBLIC,
  TPMS_ATTEST,
  TPMS_CONTEXT,
  TPMT_PUBLIC,
  TPMT_SIGNATURE,
  TPM_ALG,
  TPM_ECC_CURVE,
  TPM_RC,
  TPM_ST,
  TPMS_NV_PUBLIC,
  TpmError,
  akTemplate,
  ekTemplateEcc,
  ekTemplateRsa,
  marshal,
  unmarshal,
  struct,
  UINT32,
  UINT64,
  TPM2B_CONTEXT_DATA,
  type TPMS_ECC_POINT,
  type TPMS_ECC_PARMS,
  type TPMS_QUOTE_INFO,
  type TPMS_RSA_PARMS,
} from "../../tpm2/index.js";
import { vector } from "../vectors/index.js";

function rcOf(f: () => unknown): { rc: number; field: string | undefined } {
  try {
    f();
  } catch (e) {
    if (e instanceof TpmError) return { rc: e.rc, field: e.field };
    throw e;
  }
  throw new Error("expected a TpmError");
}

describe("tpm2 structures on real bytes (tpm2-tools against swtpm)", () => {
  it("decodes the RSA EK's TPM2B_PUBLIC as template L-1 and re-encodes it identically", () => {
    const bytes = vector("ek_rsa.pub");
    const pub = unmarshal(TPM2B_PUBLIC, bytes);
    expect(pub.type).to.equal(TPM_ALG.RSA);
    expect(pub.nameAlg).to.equal(TPM_ALG.SHA256);
    expect(pub.objectAttributes).to.equal(0x000300b2);
    expect(pub.objectAttributes).to.equal(EK_ATTRIBUTES);
    expect(Buffer.from(pub.authPolicy)).to.deep.equal(EK_POLICY_SHA256);
    const parms = pub.parameters as TPMS_RSA_PARMS;
    expect(parms.symmetric).to.deep.equal({ algorithm: TPM_ALG.AES, keyBits: 128, mode: TPM_ALG.CFB });
    expect(parms.keyBits).to.equal(2048);
    expect((pub.unique as Uint8Array).length).to.equal(256);
    expect(marshal(TPM2B_PUBLIC, pub)).to.deep.equal(bytes);
    // the template is the EK minus its unique
    expect(marshal(TPMT_PUBLIC, { ...pub, unique: Buffer.alloc(256) })).to.deep.equal(marshal(TPMT_PUBLIC, ekTemplateRsa()));
  });

  it("decodes the ECC EK's TPM2B_PUBLIC as template L-2 and re-encodes it identically", () => {
    const bytes = vector("ek_ecc.pub");
    const pub = unmarshal(TPM2B_PUBLIC, bytes);
    expect(pub.type).to.equal(TPM_ALG.ECC);
    expect((pub.parameters as TPMS_ECC_PARMS).curveID).to.equal(TPM_ECC_CURVE.NIST_P256);
    const point = pub.unique as TPMS_ECC_POINT;
    expect(point.x.length).to.equal(32);
    expect(point.y.length).to.equal(32);
    expect(marshal(TPM2B_PUBLIC, pub)).to.deep.equal(bytes);
    expect(marshal(TPMT_PUBLIC, { ...pub, unique: { x: Buffer.alloc(32), y: Buffer.alloc(32) } })).to.deep.equal(
      marshal(TPMT_PUBLIC, ekTemplateEcc()),
    );
  });

  for (const kind of ["rsa", "ecc"] as const) {
    it(`decodes the ${kind.toUpperCase()} AK made by tpm2_createak: restricted signing, same shape as our AK template`, () => {
      const bytes = vector(`ak_${kind}.pub`);
      const pub = unmarshal(TPM2B_PUBLIC, bytes);
      expect(pub.objectAttributes).to.equal(akTemplate(kind).objectAttributes);
      expect(marshal(TPM2B_PUBLIC, pub)).to.deep.equal(bytes);
      const empty = kind === "rsa" ? Buffer.alloc(0) : { x: Buffer.alloc(0), y: Buffer.alloc(0) };
      expect(marshal(TPMT_PUBLIC, { ...pub, unique: empty })).to.deep.equal(marshal(TPMT_PUBLIC, akTemplate(kind)));
    });

    it(`decodes the ${kind.toUpperCase()} quote's TPMS_ATTEST and TPMT_SIGNATURE and re-encodes them identically`, () => {
      const msg = vector(`quote_${kind}.msg`);
      const attest = unmarshal(TPMS_ATTEST, msg);
      expect(attest.type).to.equal(TPM_ST.ATTEST_QUOTE);
      expect(Buffer.from(attest.extraData).toString("hex")).to.equal("abcdef0123456789");
      const quote = attest.attested as TPMS_QUOTE_INFO;
      expect(quote.pcrSelect).to.have.length(1);
      expect(quote.pcrSelect[0]!.hash).to.equal(TPM_ALG.SHA256);
      expect(Buffer.from(quote.pcrSelect[0]!.pcrSelect).toString("hex")).to.equal("ff0000");
      expect(marshal(TPMS_ATTEST, attest)).to.deep.equal(msg);
      const sigBytes = vector(`quote_${kind}.sig`);
      const sig = unmarshal(TPMT_SIGNATURE, sigBytes);
      expect(sig.sigAlg).to.equal(kind === "rsa" ? TPM_ALG.RSASSA : TPM_ALG.ECDSA);
      expect(marshal(TPMT_SIGNATURE, sig)).to.deep.equal(sigBytes);
    });
  }

  it("decodes a tpm2-tools context file (its own field order around a TPM context blob)", () => {
    const file = vector("srk.ctx");
    // tpm2-tools lib/files.c: magic, version, then TPMS_CONTEXT's fields as hierarchy, savedHandle, sequence, blob
    const TOOLS_CONTEXT = struct("tpm2-tools context file", {
      magic: UINT32,
      version: UINT32,
      hierarchy: UINT32,
      savedHandle: UINT32,
      sequence: UINT64,
      contextBlob: TPM2B_CONTEXT_DATA,
    });
    const ctx = unmarshal(TOOLS_CONTEXT, file);
    expect(ctx.magic).to.equal(0xbadcc0de);
    expect(ctx.version).to.equal(1);
    expect(ctx.savedHandle >>> 24).to.equal(0x80);
    expect(ctx.hierarchy).to.equal(0x40000001);
    const tpmContext = { sequence: ctx.sequence, savedHandle: ctx.savedHandle, hierarchy: ctx.hierarchy, contextBlob: ctx.contextBlob };
    expect(unmarshal(TPMS_CONTEXT, marshal(TPMS_CONTEXT, tpmContext))).to.deep.equal(tpmContext);
  });
});

describe("tpm2 unmarshal is total: malformed bytes give the Part 2 response code and the field", () => {
  const ek = vector("ek_ecc.pub");

  it("reports a short buffer as TPM_RC_INSUFFICIENT", () => {
    for (let n = 0; n < ek.length; n += 7) {
      const { rc } = rcOf(() => unmarshal(TPM2B_PUBLIC, ek.subarray(0, n)));
      expect([TPM_RC.INSUFFICIENT, TPM_RC.SIZE]).to.include(rc);
    }
  });

  it("reports trailing bytes inside a TPM2B as TPM_RC_SIZE", () => {
    const longer = Buffer.concat([ek, Buffer.alloc(1)]);
    longer.writeUInt16BE(ek.readUInt16BE(0) + 1, 0);
    expect(rcOf(() => unmarshal(TPM2B_PUBLIC, longer)).rc).to.equal(TPM_RC.SIZE);
  });

  it("names the field of a bad value: unknown type, hash, curve, reserved attribute bits", () => {
    const t = Buffer.from(ek);
    t.writeUInt16BE(0x0099, 2);
    expect(rcOf(() => unmarshal(TPM2B_PUBLIC, t))).to.deep.equal({ rc: TPM_RC.TYPE, field: "type" });
    const h = Buffer.from(ek);
    h.writeUInt16BE(0x0099, 4);
    expect(rcOf(() => unmarshal(TPM2B_PUBLIC, h))).to.deep.equal({ rc: TPM_RC.HASH, field: "nameAlg" });
    const a = Buffer.from(ek);
    a.writeUInt32BE(0x000300b2 | 0x1, 6);
    expect(rcOf(() => unmarshal(TPM2B_PUBLIC, a))).to.deep.equal({ rc: TPM_RC.RESERVED_BITS, field: "objectAttributes" });
    // curveID sits after type, nameAlg, attributes, authPolicy (2+32), symmetric (6), scheme (2)
    const c = Buffer.from(ek);
    c.writeUInt16BE(0x0099, 2 + 2 + 2 + 4 + 34 + 6 + 2);
    expect(rcOf(() => unmarshal(TPM2B_PUBLIC, c))).to.deep.equal({ rc: TPM_RC.CURVE, field: "parameters.curveID" });
  });

  it("rejects an unknown union selector and a TPMS_ATTEST without the TPM_GENERATED magic", () => {
    const msg = Buffer.from(vector("quote_ecc.msg"));
    msg.writeUInt32BE(0x12345678, 0);
    expect(rcOf(() => unmarshal(TPMS_ATTEST, msg)).field).to.equal("magic");
    const sig = Buffer.from(vector("quote_ecc.sig"));
    sig.writeUInt16BE(0x0099, 0);
    expect(rcOf(() => unmarshal(TPMT_SIGNATURE, sig)).rc).to.equal(TPM_RC.SCHEME);
  });

  it("rejects an NV public whose index is not an NV handle", () => {
    const nv = marshal(TPMS_NV_PUBLIC, { nvIndex: 0x81000001, nameAlg: TPM_ALG.SHA256, attributes: 0, authPolicy: Buffer.alloc(0), dataSize: 4 });
    expect(rcOf(() => unmarshal(TPMS_NV_PUBLIC, nv))).to.deep.equal({ rc: TPM_RC.VALUE, field: "nvIndex" });
  });

  it("never throws anything but TpmError on random input", () => {
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
    for (let i = 0; i < 3000; i++) {
      const input = Buffer.from(Array.from({ length: i % 200 }, rand));
      for (const schema of [TPM2B_PUBLIC, TPMS_ATTEST, TPMT_SIGNATURE, TPMS_CONTEXT] as const) {
        try {
          unmarshal(schema as typeof TPM2B_PUBLIC, input);
        } catch (e) {
          if (!(e instanceof TpmError)) throw new Error(`seed 12345, input ${i}: ${String(e)}`, { cause: e });
        }
      }
    }
  });
});

describe("tpm2 marshal", () => {
  it("grows its buffer across many fields without losing bytes", () => {
    const big = { ...ekTemplateRsa(), unique: Buffer.alloc(256, 0xab) };
    for (let i = 0; i < 50; i++) {
      const bytes = marshal(TPM2B_PUBLIC, big);
      expect(unmarshal(TPM2B_PUBLIC, bytes)).to.deep.equal(unmarshal(TPM2B_PUBLIC, marshal(TPM2B_PUBLIC, big)));
    }
  });
});
