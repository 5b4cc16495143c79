import { expect } from "chai";
import { checkActivatedSecret, secretHashOf } from "../../../attestation-service/checks/credential-secret.js";
import { expectCode } from "../support/expect-code.js";

describe("checks/credential-secret", () => {
  const secret = Buffer.alloc(32, 0x11);
  it("accepts the secret whose hash the session keeps", () => {
    expect(() => checkActivatedSecret(secret, secretHashOf(secret))).to.not.throw();
  });
  it("refuses any other secret (CREDENTIAL_MISMATCH)", async () => {
    await expectCode(() => checkActivatedSecret(Buffer.alloc(32, 0x12), secretHashOf(secret)), "CREDENTIAL_MISMATCH");
    await expectCode(() => checkActivatedSecret(secret.subarray(0, 31), secretHashOf(secret)), "CREDENTIAL_MISMATCH");
  });
});
