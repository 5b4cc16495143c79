import { expect } from "chai";
import { randomBytes } from "node:crypto";
import { TPM_ALG, TPM_GENERATED_VALUE, TPM_RH, TPM_ST, akTemplate, type TPMT_PUBLIC } from "../../tpm2/index.js";
import { fillAttestInfo, signAttestInfo } from "../../tpm-emulator/attest.js";
import { TpmEmulator } from "../../tpm-emulator/index.js";
import { handleName, makeObject } from "../../tpm-emulator/objects.js";

const BODY = { type: TPM_ST.ATTEST_CERTIFY, attested: { name: Buffer.alloc(34, 1), qualifiedName: Buffer.alloc(34, 2) } };

/** A public-only object of `hierarchy` (enough for the common attestation fields). */
function signerIn(hierarchy: number, pub: TPMT_PUBLIC = { ...akTemplate("ecc"), unique: { x: randomBytes(32), y: randomBytes(32) } }) {
  return makeObject(pub, undefined, hierarchy, handleName(hierarchy));
}

describe("tpm-emulator/attest", () => {
  const runtime = () => {
    const t = TpmEmulator.create().runtime;
    t.state.resetCount = 7;
    t.state.restartCount = 3;
    return t;
  };
  const firmware = (t: ReturnType<typeof runtime>) =>
    (BigInt(t.state.identity.firmwareVersion1) << 32n) | BigInt(t.state.identity.firmwareVersion2);

  it("fills the common fields for a signer of the endorsement or platform hierarchy in clear", () => {
    for (const hierarchy of [TPM_RH.ENDORSEMENT, TPM_RH.PLATFORM]) {
      const t = runtime();
      const signer = signerIn(hierarchy);
      const attest = fillAttestInfo(t, signer, Buffer.from("nonce"), BODY);
      expect(attest.magic).to.equal(TPM_GENERATED_VALUE);
      expect(attest.type).to.equal(TPM_ST.ATTEST_CERTIFY);
      expect(Buffer.from(attest.qualifiedSigner)).to.deep.equal(signer.qualifiedName);
      expect(Buffer.from(attest.extraData).toString()).to.equal("nonce");
      expect([attest.clockInfo.resetCount, attest.clockInfo.restartCount]).to.deep.equal([7, 3]);
      expect(attest.firmwareVersion).to.equal(firmware(t));
      expect(attest.clockInfo.safe).to.equal(true);
    }
  });

  it("obfuscates the counters for owner keys: stable per key, different between keys, new after the owner proof changes", () => {
    const t = runtime();
    const a = signerIn(TPM_RH.OWNER);
    const b = signerIn(TPM_RH.OWNER);
    const counters = (signer: ReturnType<typeof signerIn>) => {
      const x = fillAttestInfo(t, signer, Buffer.alloc(0), BODY);
      return [x.clockInfo.resetCount, x.clockInfo.restartCount, x.firmwareVersion];
    };
    const first = counters(a);
    expect(first).to.not.deep.equal([7, 3, firmware(t)]);
    expect(counters(a)).to.deep.equal(first);
    expect(counters(b)).to.not.deep.equal(first);
    t.state.owner.proof = randomBytes(64);
    expect(counters(a)).to.not.deep.equal(first);
  });

  it("names TPM_RH_NULL as the signer when there is none, obfuscates, and gives the NULL signature", () => {
    const t = runtime();
    const attest = fillAttestInfo(t, undefined, Buffer.alloc(0), BODY);
    expect(Buffer.from(attest.qualifiedSigner).toString("hex")).to.equal("40000007");
    expect(attest.firmwareVersion).to.not.equal(firmware(t));
    const signed = signAttestInfo(undefined, { scheme: TPM_ALG.NULL, details: undefined }, attest);
    expect(signed.signature.sigAlg).to.equal(TPM_ALG.NULL);
    expect(signed.attestBytes.readUInt32BE(0)).to.equal(TPM_GENERATED_VALUE);
  });
});
