import { expect } from "chai";
import { checkAkAttributes } from "../../../attestation-service/checks/ak-attributes.js";
import { TPMA_OBJECT, akTemplate } from "../../../tpm2/index.js";
import { expectCode } from "../support/expect-code.js";

describe("checks/ak-attributes", () => {
  it("accepts a restricted signing key that never leaves the TPM", () => {
    expect(() => checkAkAttributes(akTemplate("rsa"))).to.not.throw();
  });
  it("refuses an AK that is not restricted, or that can decrypt (AK_ATTRIBUTES_INVALID)", async () => {
    const ak = akTemplate("ecc");
    await expectCode(() => checkAkAttributes({ ...ak, objectAttributes: ak.objectAttributes & ~TPMA_OBJECT.restricted }), "AK_ATTRIBUTES_INVALID");
    await expectCode(() => checkAkAttributes({ ...ak, objectAttributes: ak.objectAttributes | TPMA_OBJECT.decrypt }), "AK_ATTRIBUTES_INVALID");
    await expectCode(() => checkAkAttributes({ ...ak, objectAttributes: ak.objectAttributes & ~TPMA_OBJECT.fixedTPM }), "AK_ATTRIBUTES_INVALID");
  });
});
