import { expect } from "chai";
import { buildEkChain } from "../../../attestation-service/checks/ek-chain.js";
import type { x509 } from "../../../certs/index.js";
import { expectCode } from "../support/expect-code.js";
import { ekKeyPair, makeCa, makeEkCertificate, verifySignature, type TestCa } from "../support/test-pki.js";

describe("checks/ek-chain", function () {
  this.timeout(20_000);
  let root: TestCa;
  let issuing: TestCa;
  let ek: x509.X509Certificate;
  const noFetch = () => Promise.resolve(undefined);

  before(async () => {
    root = await makeCa("Test Root");
    issuing = await makeCa("Test Issuing", root);
    ek = await makeEkCertificate(issuing, (await ekKeyPair()).publicKey, { aiaUrl: "http://pki.ifx.vendors.apsim.test/issuing.crt" });
  });

  const inputs = (overrides = {}) => ({ anchors: [root.certificate], intermediates: [issuing.certificate], fetchIssuer: noFetch, verifySignature, maxDepth: 7, ...overrides });

  it("builds EK ← intermediate ← root from the intermediates the device sent", async () => {
    const chain = await buildEkChain(ek, inputs());
    expect(chain.map((c) => c.subject)).to.deep.equal(["", "CN=Test Issuing", "CN=Test Root"]);
  });

  it("fetches a missing intermediate at the AIA URL", async () => {
    const fetched: string[] = [];
    const chain = await buildEkChain(ek, inputs({ intermediates: [], fetchIssuer: (url: string) => (fetched.push(url), Promise.resolve(issuing.certificate)) }));
    expect(chain).to.have.length(3);
    expect(fetched).to.deep.equal(["http://pki.ifx.vendors.apsim.test/issuing.crt"]);
  });

  it("refuses a chain to an unknown CA (EK_CERT_UNTRUSTED)", async () => {
    const strangerRoot = await makeCa("Test Root");
    const stranger = await makeCa("Test Issuing", strangerRoot);
    await expectCode(() => buildEkChain(ek, inputs({ anchors: [strangerRoot.certificate], intermediates: [stranger.certificate] })), "EK_CERT_UNTRUSTED");
    await expectCode(() => buildEkChain(ek, inputs({ intermediates: [] })), "EK_CERT_UNTRUSTED");
  });

  it("refuses an intermediate that is not a CA", async () => {
    const notCa = await makeCa("Test Issuing", root, { ca: false });
    const signedByLeaf = await makeEkCertificate({ ...issuing, certificate: notCa.certificate, keys: notCa.keys }, (await ekKeyPair()).publicKey);
    await expectCode(() => buildEkChain(signedByLeaf, inputs({ intermediates: [notCa.certificate] })), "EK_CERT_UNTRUSTED");
  });

  it("refuses a chain deeper than the limit (EK_CHAIN_TOO_LONG)", async () => {
    const cas = [root];
    for (let i = 0; i < 4; i++) cas.push(await makeCa(`Level ${i}`, cas[cas.length - 1]));
    const deep = await makeEkCertificate(cas[cas.length - 1]!, (await ekKeyPair()).publicKey);
    const intermediates = cas.slice(1).map((ca) => ca.certificate);
    expect(await buildEkChain(deep, inputs({ intermediates }))).to.have.length(6);
    await expectCode(() => buildEkChain(deep, inputs({ intermediates, maxDepth: 3 })), "EK_CHAIN_TOO_LONG");
  });
});
