import { expect } from "chai";
import { checkChainNotRevoked } from "../../../attestation-service/checks/revocation.js";
import type { x509 } from "../../../certs/index.js";
import { expectCode } from "../support/expect-code.js";
import { ekKeyPair, makeCa, makeCrl, makeEkCertificate } from "../support/test-pki.js";

describe("checks/revocation", function () {
  this.timeout(20_000);
  const verifyCrl = (crl: x509.X509Crl, issuer: x509.X509Certificate) => crl.verify({ publicKey: issuer.publicKey });

  it("accepts an EK certificate its issuer's CRL does not list, and refuses one it lists (EK_CERT_REVOKED)", async () => {
    const root = await makeCa("Root");
    const ek = await makeEkCertificate(root, (await ekKeyPair()).publicKey, { serial: "7f01", crlUrl: "http://pki.x.vendors.apsim.test/root.crl" });
    const fetched: string[] = [];
    const clean = await makeCrl(root, ["7f02"]);
    await checkChainNotRevoked([ek, root.certificate], { fetchCrl: (url) => (fetched.push(url), Promise.resolve(clean)), verifyCrl });
    expect(fetched).to.deep.equal(["http://pki.x.vendors.apsim.test/root.crl"]);
    const listing = await makeCrl(root, ["7f02", "7f01"]);
    await expectCode(() => checkChainNotRevoked([ek, root.certificate], { fetchCrl: () => Promise.resolve(listing), verifyCrl }), "EK_CERT_REVOKED");
  });

  it("does not trust a CRL signed by another key", async () => {
    const root = await makeCa("Root");
    const impostor = await makeCa("Root");
    const ek = await makeEkCertificate(root, (await ekKeyPair()).publicKey, { crlUrl: "http://pki.x.vendors.apsim.test/root.crl" });
    const forged = await makeCrl(root, [], impostor);
    await expectCode(() => checkChainNotRevoked([ek, root.certificate], { fetchCrl: () => Promise.resolve(forged), verifyCrl }), "VENDOR_ENDPOINT_UNAVAILABLE");
  });
});
