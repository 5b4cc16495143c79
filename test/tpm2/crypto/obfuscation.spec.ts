import { expect } from "chai";
import { TPM_ALG, TPM_RH } from "../../../tpm2/constants.js";
import { isClockInfoObfuscated, kdfa, obfuscateClockInfo } from "../../../tpm2/crypto/index.js";

describe("tpm2/crypto/obfuscation", function () {
  const shProof = Buffer.alloc(32, 0x77);
  const keyName = Buffer.from("000b" + "12".repeat(32), "hex");
  const counters = { resetCount: 5, restartCount: 2, firmwareVersion: 0x2019102300163636n };

  it("obfuscates for Owner-hierarchy and NULL-hierarchy signers only", function () {
    expect(isClockInfoObfuscated(TPM_RH.OWNER)).to.equal(true);
    expect(isClockInfoObfuscated(TPM_RH.NULL)).to.equal(true);
    expect(isClockInfoObfuscated(TPM_RH.ENDORSEMENT)).to.equal(false);
    expect(isClockInfoObfuscated(TPM_RH.PLATFORM)).to.equal(false);
  });

  it("adds KDFa(nameAlg, shProof, OBFUSCATE, name, empty, 128) split 64/32/32 to the counters", function () {
    const obfuscation = kdfa(TPM_ALG.SHA256, shProof, "OBFUSCATE", keyName, Buffer.alloc(0), 128);
    const out = obfuscateClockInfo(TPM_ALG.SHA256, shProof, keyName, counters);
    expect(out.firmwareVersion).to.equal((counters.firmwareVersion + obfuscation.readBigUInt64BE(0)) % (1n << 64n));
    expect(out.resetCount).to.equal((counters.resetCount + obfuscation.readUInt32BE(8)) % 2 ** 32);
    expect(out.restartCount).to.equal((counters.restartCount + obfuscation.readUInt32BE(12)) % 2 ** 32);
    expect(out.resetCount).to.not.equal(counters.resetCount);
  });

  it("keeps differences between two attestations of the same key, but not across keys", function () {
    const first = obfuscateClockInfo(TPM_ALG.SHA256, shProof, keyName, counters);
    const later = obfuscateClockInfo(TPM_ALG.SHA256, shProof, keyName, { ...counters, restartCount: 3 });
    expect((later.restartCount - first.restartCount) >>> 0).to.equal(1);
    expect(later.resetCount).to.equal(first.resetCount);
    const otherName = Buffer.from("000b" + "34".repeat(32), "hex");
    const otherKey = obfuscateClockInfo(TPM_ALG.SHA256, shProof, otherName, counters);
    expect(otherKey.resetCount).to.not.equal(first.resetCount);
    const afterClear = obfuscateClockInfo(TPM_ALG.SHA256, Buffer.alloc(32, 1), keyName, counters);
    expect(afterClear.firmwareVersion).to.not.equal(first.firmwareVersion);
  });

  it("wraps each counter at its width", function () {
    const out = obfuscateClockInfo(TPM_ALG.SHA256, shProof, keyName, {
      resetCount: 0xffffffff,
      restartCount: 0xffffffff,
      firmwareVersion: (1n << 64n) - 1n,
    });
    expect(out.resetCount).to.be.within(0, 0xffffffff);
    expect(out.restartCount).to.be.within(0, 0xffffffff);
    expect(out.firmwareVersion < 1n << 64n).to.equal(true);
    expect(out.firmwareVersion >= 0n).to.equal(true);
  });
});
