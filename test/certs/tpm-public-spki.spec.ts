import { expect } from "chai";
import { generateKeyPairSync } from "node:crypto";
import { spkiOfTpmPublic } from "../../certs/index.js";
import {
  TPM_ALG,
  TPM_ECC_CURVE,
  eccPointFromKey,
  ekTemplateEcc,
  ekTemplateRsa,
  publicKeyOf,
  rsaModulusFromKey,
  type TPMS_RSA_PARMS,
  type TPMT_PUBLIC,
} from "../../tpm2/index.js";

const exported = (publicArea: TPMT_PUBLIC): string => publicKeyOf(publicArea).export({ type: "spki", format: "der" }).toString("hex");
const direct = (publicArea: TPMT_PUBLIC): string | undefined => {
  const spki = spkiOfTpmPublic(publicArea);
  return spki === undefined ? undefined : Buffer.from(spki).toString("hex");
};

describe("certs/tpm-public-spki: spkiOfTpmPublic", function () {
  this.timeout(60_000);

  it("encodes ECC public areas on P-256, P-384 and P-521 as node:crypto exports them, short coordinates included", () => {
    const curves = [
      { namedCurve: "P-256", curveID: TPM_ECC_CURVE.NIST_P256 },
      { namedCurve: "P-384", curveID: TPM_ECC_CURVE.NIST_P384 },
      { namedCurve: "P-521", curveID: TPM_ECC_CURVE.NIST_P521 },
    ];
    let shortened = 0;
    for (const { namedCurve, curveID } of curves) {
      const template = ekTemplateEcc();
      for (let i = 0; i < 300; i++) {
        const point = eccPointFromKey(generateKeyPairSync("ec", { namedCurve }).publicKey);
        const publicArea: TPMT_PUBLIC = { ...template, parameters: { ...template.parameters, curveID }, unique: point };
        expect(direct(publicArea)).to.equal(exported(publicArea));
        if (point.x[0] === 0 || point.y[0] === 0) {
          const strip = (c: Buffer) => c.subarray(c.findIndex((octet) => octet !== 0));
          const short: TPMT_PUBLIC = { ...publicArea, unique: { x: strip(point.x), y: strip(point.y) } };
          expect(direct(short)).to.equal(exported(short));
          shortened++;
        }
      }
    }
    expect(shortened).to.be.greaterThan(0);
  });

  it("encodes RSA public areas as node:crypto exports them, the TPM's exponent 0 as 65537", () => {
    const template = ekTemplateRsa();
    expect(template.type).to.equal(TPM_ALG.RSA);
    for (const [modulusLength, publicExponent] of [[2048, 65537], [2048, 3], [1024, 65537], [3072, 0x10001]] as const) {
      const { modulus, exponent } = rsaModulusFromKey(generateKeyPairSync("rsa", { modulusLength, publicExponent }).publicKey);
      for (const encoded of exponent === 0 ? [0, 65537] : [exponent]) {
        const publicArea: TPMT_PUBLIC = {
          ...template,
          parameters: { ...(template.parameters as TPMS_RSA_PARMS), exponent: encoded, keyBits: modulusLength },
          unique: modulus,
        };
        expect(direct(publicArea), `${modulusLength}/${encoded}`).to.equal(exported(publicArea));
      }
    }
  });

  it("gives undefined where it cannot encode directly (other curves, oversized values)", () => {
    const template = ekTemplateEcc();
    const point = eccPointFromKey(generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey);
    const other = { ...template, parameters: { ...template.parameters, curveID: TPM_ECC_CURVE.BN_P256 } as TPMT_PUBLIC["parameters"], unique: point };
    expect(spkiOfTpmPublic(other)).to.equal(undefined);
    const oversized = { ...template, unique: { x: Buffer.concat([Buffer.of(1), point.x]), y: point.y } };
    expect(spkiOfTpmPublic(oversized)).to.equal(undefined);
    expect(spkiOfTpmPublic({ ...ekTemplateRsa(), unique: Buffer.alloc(256) })).to.equal(undefined);
  });
});
