import { expect } from "chai";
import { createHash } from "node:crypto";
import { TPM_ALG, TPM_CC, TPM_RH } from "../../../tpm2/constants.js";
import {
  emptyPolicyDigest,
  policyAuthValueDigest,
  policyAuthorizeDigest,
  policyCommandCodeDigest,
  policyOrDigest,
  policyPasswordDigest,
  policyPcrDigest,
  policySecretDigest,
  policySignedDigest,
  policyUpdate,
} from "../../../tpm2/crypto/index.js";

const hex = (s: string): Buffer => Buffer.from(s, "hex");
const SHA256 = TPM_ALG.SHA256;
const handleName = (handle: number): Buffer => {
  const name = Buffer.alloc(4);
  name.writeUInt32BE(handle);
  return name;
};

// Policy digests computed by swtpm 0.7.1 in trial sessions driven by tpm2-tools 5.4 (tpm2_policypcr,
// tpm2_policycommandcode, tpm2_policyauthvalue, tpm2_policypassword, tpm2_policysecret, tpm2_policyor).
const SWTPM = {
  pcr0to3Zero: "84b506c91f205e06abd6f83f269d8d8011d495e09214a40fe32b4660301dda09",
  commandCodeActivateCredential: "e587c11ab50f9d8730f721e3fea42b46c0455b246f96aee85d18eb3be64d666a",
  authValue: "8fcd2169ab92694e0c633f1ab772842b8241bbc20288981fc7ac1eddc1fddb0e",
  secretEndorsementThenActivateCredential: "cd9917cf18c3848c3a2e606986a066c68142f9bc2710a278287a650ca3bbf245",
  orOfPcrCommandCodeAuthValue: "092371b1db5565c79767f7c40f1af2926b6ac06c67d6f3c6f540a56967f640a0",
  secretOwnerWithPolicyRef: "110d7fb1819f09e4e051f9e8cbcaaff819accaed9b28b603b9bbc00f70515cf7",
};

describe("tpm2/crypto/policy", function () {
  const zero = emptyPolicyDigest(SHA256);

  it("starts from a digest of zeros of the hash size", function () {
    expect(zero).to.deep.equal(Buffer.alloc(32));
    expect(emptyPolicyDigest(TPM_ALG.SHA1)).to.have.length(20);
  });

  it("PolicySecret(TPM_RH_ENDORSEMENT) gives the EK authPolicy of the TCG EK profile", function () {
    const digest = policySecretDigest(SHA256, zero, handleName(TPM_RH.ENDORSEMENT), Buffer.alloc(0));
    expect(digest.toString("hex")).to.equal("837197674484b3f81a90cc8d46a5d724fd52d76e06520b64f2a1da1b331469aa");
  });

  it("PolicySecret with a policyRef hashes it in PolicyUpdate's second step", function () {
    const digest = policySecretDigest(SHA256, zero, handleName(TPM_RH.OWNER), hex("0102030405"));
    expect(digest.toString("hex")).to.equal(SWTPM.secretOwnerWithPolicyRef);
  });

  it("PolicyPCR over sha256:0,1,2,3 of a fresh TPM matches swtpm", function () {
    const selection = hex("00000001" + "000b" + "03" + "0f0000");
    const pcrDigest = createHash("sha256").update(Buffer.alloc(4 * 32)).digest();
    expect(policyPcrDigest(SHA256, zero, selection, pcrDigest).toString("hex")).to.equal(SWTPM.pcr0to3Zero);
  });

  it("PolicyCommandCode matches swtpm, alone and after PolicySecret", function () {
    expect(policyCommandCodeDigest(SHA256, zero, TPM_CC.ActivateCredential).toString("hex")).to.equal(
      SWTPM.commandCodeActivateCredential,
    );
    const secret = policySecretDigest(SHA256, zero, handleName(TPM_RH.ENDORSEMENT), Buffer.alloc(0));
    expect(policyCommandCodeDigest(SHA256, secret, TPM_CC.ActivateCredential).toString("hex")).to.equal(
      SWTPM.secretEndorsementThenActivateCredential,
    );
  });

  it("PolicyAuthValue and PolicyPassword give the same digest, as swtpm does", function () {
    expect(policyAuthValueDigest(SHA256, zero).toString("hex")).to.equal(SWTPM.authValue);
    expect(policyPasswordDigest(SHA256, zero).toString("hex")).to.equal(SWTPM.authValue);
  });

  it("PolicyOR of three branches matches swtpm", function () {
    const branches = [SWTPM.pcr0to3Zero, SWTPM.commandCodeActivateCredential, SWTPM.authValue].map(hex);
    expect(policyOrDigest(SHA256, branches).toString("hex")).to.equal(SWTPM.orOfPcrCommandCodeAuthValue);
  });

  it("PolicyOR rejects fewer than 2 or more than 8 branches and digests of the wrong size", function () {
    expect(() => policyOrDigest(SHA256, [zero])).to.throw(RangeError);
    expect(() => policyOrDigest(SHA256, Array.from({ length: 9 }, () => zero))).to.throw(RangeError);
    expect(() => policyOrDigest(SHA256, [zero, Buffer.alloc(20)])).to.throw(RangeError);
  });

  it("PolicyUpdate is H(H(old || cc || arg2) || arg3), used by PolicySigned and PolicyAuthorize", function () {
    const name = hex("000b" + "cd".repeat(32));
    const ref = Buffer.from("ref");
    const inner = createHash("sha256").update(zero).update(hex("00000160")).update(name).digest();
    const expected = createHash("sha256").update(inner).update(ref).digest();
    expect(policyUpdate(SHA256, zero, TPM_CC.PolicySigned, name, ref)).to.deep.equal(expected);
    expect(policySignedDigest(SHA256, zero, name, ref)).to.deep.equal(expected);
    expect(policyAuthorizeDigest(SHA256, name, ref)).to.deep.equal(
      policyUpdate(SHA256, zero, TPM_CC.PolicyAuthorize, name, ref),
    );
  });

  it("rejects a policyDigest of the wrong size for the hash", function () {
    expect(() => policyAuthValueDigest(SHA256, Buffer.alloc(20))).to.throw(RangeError);
  });
});
