import { expect } from "chai";
import { generateKeyPairSync } from "node:crypto";
import { checkEkKeyMatchesCertificate } from "../../../attestation-service/checks/ek-key-match.js";
import { TPM_ALG, TPM_ECC_CURVE, eccPointFromKey, ekTemplateEcc, type TPMT_PUBLIC } from "../../../tpm2/index.js";
import { expectCode } from "../support/expect-code.js";

describe("checks/ek-key-match", () => {
  it("accepts the certificate's key and refuses another (EK_KEY_MISMATCH)", async () => {
    const { publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const point = eccPointFromKey(publicKey);
    expect(point.curveId).to.equal(TPM_ECC_CURVE.NIST_P256);
    const ek: TPMT_PUBLIC = { ...ekTemplateEcc(), unique: { x: point.x, y: point.y } };
    expect(ek.type).to.equal(TPM_ALG.ECC);
    expect(() => checkEkKeyMatchesCertificate(ek, publicKey)).to.not.throw();
    await expectCode(() => checkEkKeyMatchesCertificate(ek, generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey), "EK_KEY_MISMATCH");
  });

  it("compares the certificate's SubjectPublicKeyInfo as bytes and returns the EK's (the form node:crypto exports)", async () => {
    const { publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const point = eccPointFromKey(publicKey);
    const ek: TPMT_PUBLIC = { ...ekTemplateEcc(), unique: { x: point.x, y: point.y } };
    const spki = publicKey.export({ type: "spki", format: "der" });
    expect(checkEkKeyMatchesCertificate(ek, { publicKey, subjectPublicKeyInfo: spki }).equals(spki)).to.equal(true);
    expect(checkEkKeyMatchesCertificate(ek, publicKey).equals(spki)).to.equal(true);
    const other = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey;
    await expectCode(() => checkEkKeyMatchesCertificate(ek, { publicKey: other, subjectPublicKeyInfo: other.export({ type: "spki", format: "der" }) }), "EK_KEY_MISMATCH");
  });
});
