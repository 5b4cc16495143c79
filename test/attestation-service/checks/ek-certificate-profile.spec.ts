import { expect } from "chai";
import { checkEkCertificateProfile } from "../../../attestation-service/checks/ek-certificate-profile.js";
import { parseEkCertificate } from "../../../certs/index.js";
import { expectCode } from "../support/expect-code.js";
import { ekKeyPair, makeCa, makeEkCertificate } from "../support/test-pki.js";

describe("checks/ek-certificate-profile", () => {
  it("accepts the EK EKU and the TPM's manufacturer; refuses another EKU or manufacturer", async () => {
    const ca = await makeCa("Root");
    const key = (await ekKeyPair()).publicKey;
    const good = await makeEkCertificate(ca, key);
    expect(() => checkEkCertificateProfile(good, parseEkCertificate(new Uint8Array(good.rawData)), 0x49465800)).to.not.throw();
    await expectCode(() => checkEkCertificateProfile(good, parseEkCertificate(new Uint8Array(good.rawData)), 0x53544d20), "EK_CERT_MANUFACTURER_MISMATCH");
    const wrongEku = await makeEkCertificate(ca, key, { eku: "1.3.6.1.5.5.7.3.2" });
    await expectCode(() => checkEkCertificateProfile(wrongEku, parseEkCertificate(new Uint8Array(wrongEku.rawData)), 0x49465800), "EK_CERT_WRONG_EKU");
  });
});
