import { expect } from "chai";
import { checkPcrPolicy } from "../../../attestation-service/checks/pcr-policy.js";
import { TPM_ALG } from "../../../tpm2/index.js";
import { expectCode } from "../support/expect-code.js";

describe("checks/pcr-policy", () => {
  const values = [{ hashAlg: TPM_ALG.SHA256, index: 7, value: Buffer.alloc(32, 7) }];
  it("accepts values the policy allows, and any values under an empty policy", () => {
    expect(() => checkPcrPolicy(values, [{ hashAlg: TPM_ALG.SHA256, index: 7, values: [Buffer.alloc(32, 1), Buffer.alloc(32, 7)] }])).to.not.throw();
    expect(() => checkPcrPolicy(values, [])).to.not.throw();
  });
  it("refuses other values and unreported PCRs (PCR_POLICY_VIOLATION)", async () => {
    await expectCode(() => checkPcrPolicy(values, [{ hashAlg: TPM_ALG.SHA256, index: 7, values: [Buffer.alloc(32, 1)] }]), "PCR_POLICY_VIOLATION");
    await expectCode(() => checkPcrPolicy(values, [{ hashAlg: TPM_ALG.SHA256, index: 8, values: [Buffer.alloc(32, 7)] }]), "PCR_POLICY_VIOLATION");
  });
});
