import { expect } from "chai";
import { checkChainValidity } from "../../../attestation-service/checks/certificate-validity.js";
import { expectCode } from "../support/expect-code.js";
import { ekKeyPair, makeCa, makeEkCertificate } from "../support/test-pki.js";

describe("checks/certificate-validity", () => {
  const now = Date.UTC(2026, 0, 1);
  it("accepts a chain valid now, and refuses an expired or not yet valid EK certificate or CA", async () => {
    const root = await makeCa("Root");
    const key = (await ekKeyPair()).publicKey;
    const valid = await makeEkCertificate(root, key);
    expect(() => checkChainValidity([valid, root.certificate], now)).to.not.throw();
    const expired = await makeEkCertificate(root, key, { notAfter: new Date(now - 1000) });
    await expectCode(() => checkChainValidity([expired, root.certificate], now), "EK_CERT_EXPIRED");
    const future = await makeEkCertificate(root, key, { notBefore: new Date(now + 86_400_000) });
    await expectCode(() => checkChainValidity([future, root.certificate], now), "EK_CERT_NOT_YET_VALID");
    const expiredRoot = await makeCa("Old Root", undefined, { notAfter: new Date(now - 1000), notBefore: new Date(now - 1e10) });
    await expectCode(() => checkChainValidity([valid, expiredRoot.certificate], now), "EK_CERT_EXPIRED");
  });
});
