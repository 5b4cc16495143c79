import { expect } from "chai";
import { X509Certificate, generateKeyPairSync, type KeyObject } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { receiveEnrollment } from "../../../../agent/mdm/enrollment/received-enrollment.js";
import { issueMdmClientCertificate, loadMdmCa, type MdmCa } from "../../../../certs/index.js";
import { ProtocolError, buildProvisioningDocument, certificateThumbprint, type ProvisioningDocument } from "../../../../protocol/index.js";
import { sharedRsaKey } from "../../../certs/csr-builder.js";

const NOW = Date.UTC(2026, 2, 1);
const DAY_MS = 86_400_000;
const ENROLLMENT_ID = "6F1C2D3E-0000-4000-8000-00000000C0DE";

describe("agent/mdm/enrollment/received-enrollment: checking the provisioning document before installing it", function () {
  this.timeout(20_000);
  let home: string;
  let mdmCa: MdmCa;

  before(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), "apsim-received-"));
    mdmCa = await loadMdmCa(home);
  });
  after(async () => {
    await rm(home, { recursive: true, force: true });
  });

  async function documentFor(key: KeyObject, options: { commonName?: string; searchedName?: string; roots?: boolean } = {}): Promise<string> {
    const certificate = await issueMdmClientCertificate(mdmCa, {
      subjectPublicKeyInfo: key.export({ format: "der", type: "spki" }),
      commonName: options.commonName ?? ENROLLMENT_ID,
      now: new Date(NOW),
    });
    const clientDer = new Uint8Array(certificate.rawData);
    const rootDer = new Uint8Array(mdmCa.certificate.rawData);
    const document: ProvisioningDocument = {
      rootCertificates: options.roots === false ? [] : [{ thumbprint: certificateThumbprint(rootDer), der: rootDer }],
      clientCertificate: { thumbprint: certificateThumbprint(clientDer), der: clientDer },
      clientStore: "System",
      clientCommonName: options.searchedName ?? ENROLLMENT_ID,
      providerId: "contoso-mdm",
      managementAddress: "https://127.0.0.1:8443/ManagementServer/MDM.svc",
      serverName: "Contoso",
      appAuth: [],
      connectionRetryFrequency: 6,
      initialBackoffTimeMs: 30_000,
      maxBackoffTimeMs: 120_000,
      poll: {
        numberOfFirstRetries: 8,
        intervalForFirstSetOfRetries: 15,
        numberOfSecondRetries: 5,
        intervalForSecondSetOfRetries: 3,
        numberOfRemainingScheduledRetries: 0,
        intervalForRemainingScheduledRetries: 1560,
        pollOnLogin: true,
      },
    };
    return buildProvisioningDocument(document);
  }

  function refusal(action: () => unknown): ProtocolError {
    try {
      action();
    } catch (error) {
      expect(error).to.be.instanceOf(ProtocolError);
      return error as ProtocolError;
    }
    return expect.fail("accepted a document it should refuse");
  }

  it("takes the certificates, management address, ProviderID and poll schedule of a document for its key", async () => {
    const received = receiveEnrollment(await documentFor(sharedRsaKey().publicKey), sharedRsaKey().publicKey, NOW);
    expect(received.enrollmentId).to.equal(ENROLLMENT_ID);
    expect(new X509Certificate(received.clientCertificate).publicKey.equals(sharedRsaKey().publicKey)).to.equal(true);
    expect(new X509Certificate(received.rootCertificate).raw.equals(Buffer.from(mdmCa.certificate.rawData))).to.equal(true);
    expect(received.dmServerUrl).to.equal("https://127.0.0.1:8443/ManagementServer/MDM.svc");
    expect(received.providerId).to.equal("contoso-mdm");
    expect(received.clientStore).to.equal("System");
    expect(received.pollSettings.intervalForRemainingScheduledRetries).to.equal(1560);
  });

  it("names every refusal MDE2_RESPONSE_INVALID with MENROLL_E_DEVICE_MESSAGE_FORMAT_ERROR", async () => {
    const key = sharedRsaKey().publicKey;
    const otherKey = generateKeyPairSync("ec", { namedCurve: "prime256v1" }).publicKey;
    const cases: [string, string, number, RegExp][] = [
      ["another key", await documentFor(otherKey), NOW, /another key|not carry the key/],
      ["not yet valid", await documentFor(key), NOW - 2 * DAY_MS, /not valid now/],
      ["expired", await documentFor(key), NOW + 400 * DAY_MS, /not valid now/],
      ["search criteria naming another CN", await documentFor(key, { searchedName: "SOMEONE-ELSE" }), NOW, /search criteria/],
      ["no root certificate", await documentFor(key, { roots: false }), NOW, /no root certificate/],
      ["not a provisioning document", "<wap-provisioningdoc version=\"1.1\"/>", NOW, /provisioning document/],
    ];
    for (const [what, xml, now, reason] of cases) {
      const error = refusal(() => receiveEnrollment(xml, key, now));
      expect(error.code, what).to.equal("MDE2_RESPONSE_INVALID");
      expect(error.message, what).to.match(reason);
      expect(error.hresult, what).to.equal(0x80180001);
    }
  });
});
