import { expect } from "chai";
import { TPM_RH, ekTemplateRsa, publicKeyOf, type TPMT_PUBLIC } from "../../tpm2/index.js";
import { TpmEmulator } from "../../tpm-emulator/index.js";
import { clearDerivedKeyCache, createPrimaryObject } from "../../tpm-emulator/object-create.js";

function spkiOf(tpm: TpmEmulator, hierarchy: number, template: TPMT_PUBLIC): string {
  const object = createPrimaryObject(tpm.runtime, hierarchy, template);
  return publicKeyOf(object.publicArea).export({ type: "spki", format: "der" }).toString("hex");
}

describe("tpm-emulator derived RSA key store", function () {
  this.timeout(60_000);

  it("remembers a derived RSA primary in the state file and answers from it after a reload", () => {
    const tpm = TpmEmulator.create({ vendor: "IFX", seed: Buffer.alloc(32, 7) });
    const ek = spkiOf(tpm, TPM_RH.ENDORSEMENT, ekTemplateRsa());
    expect(tpm.runtime.state.derivedRsaKeys).to.have.length(1);

    const reloaded = TpmEmulator.fromStateBytes(tpm.stateBytes());
    clearDerivedKeyCache();
    expect(spkiOf(reloaded, TPM_RH.ENDORSEMENT, ekTemplateRsa())).to.equal(ek);
    expect(reloaded.runtime.state.derivedRsaKeys).to.have.length(1);
  });

  it("takes the stored primes as they are (so a reload never repeats the prime search)", () => {
    const donor = TpmEmulator.create({ vendor: "IFX", seed: Buffer.alloc(32, 1) });
    const donorEk = spkiOf(donor, TPM_RH.ENDORSEMENT, ekTemplateRsa());
    const tpm = TpmEmulator.create({ vendor: "IFX", seed: Buffer.alloc(32, 2) });
    const ownEk = spkiOf(tpm, TPM_RH.ENDORSEMENT, ekTemplateRsa());
    const record = tpm.runtime.state.derivedRsaKeys![0]!;
    const donorRecord = donor.runtime.state.derivedRsaKeys![0]!;
    record.p = donorRecord.p;
    record.q = donorRecord.q;

    const reloaded = TpmEmulator.fromStateBytes(tpm.stateBytes());
    clearDerivedKeyCache();
    expect(spkiOf(reloaded, TPM_RH.ENDORSEMENT, ekTemplateRsa())).to.equal(donorEk).and.not.equal(ownEk);
  });

  it("keeps null-hierarchy keys out of the store and bounds it", () => {
    const tpm = TpmEmulator.create({ vendor: "IFX", seed: Buffer.alloc(32, 3) });
    spkiOf(tpm, TPM_RH.NULL, ekTemplateRsa());
    expect(tpm.runtime.state.derivedRsaKeys ?? []).to.have.length(0);
    for (let i = 0; i < 10; i++) {
      const template = ekTemplateRsa();
      (template.unique as Buffer).writeUInt8(i + 1, 0);
      spkiOf(tpm, TPM_RH.OWNER, template);
    }
    expect(tpm.runtime.state.derivedRsaKeys).to.have.length(8);
  });
});
