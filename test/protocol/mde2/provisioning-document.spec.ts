import { expect } from "chai";
import { createHash } from "node:crypto";
import {
  buildProvisioningDocument,
  certificateThumbprint,
  parseProvisioningDocument,
  type ProvisioningDocument,
} from "../../../protocol/index.js";
import { codeOf } from "./support.js";

const root = Buffer.from("30820001", "hex");
const client = Buffer.from("30820002", "hex");

const document: ProvisioningDocument = {
  rootCertificates: [{ thumbprint: certificateThumbprint(root), der: root }],
  clientCertificate: { thumbprint: certificateThumbprint(client), der: client },
  clientStore: "System",
  clientCommonName: "6E3C1D1A-0000-4000-8000-000000000001",
  providerId: "apsim",
  managementAddress: "https://127.0.0.1:8443/ManagementServer/MDM.svc",
  serverName: "contoso.apsim.test device management",
  appAuth: [
    { level: "CLIENT", type: "DIGEST", name: "apsim", secret: "s1", data: "bm9uY2U=" },
    { level: "APPSRV", type: "DIGEST", name: "device", secret: "s2", data: undefined },
  ],
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

describe("protocol/mde2/provisioning-document", () => {
  it("round-trips the certificates, w7 application, APPAUTH and DMClient poll schedule", () => {
    const xml = buildProvisioningDocument(document);
    const parsed = parseProvisioningDocument(xml);
    expect({
      ...parsed,
      rootCertificates: parsed.rootCertificates.map((entry) => ({ ...entry, der: Buffer.from(entry.der) })),
      clientCertificate: { ...parsed.clientCertificate, der: Buffer.from(parsed.clientCertificate.der) },
    }).to.deep.equal(document);
    expect(xml).to.contain('<parm name="SSLCLIENTCERTSEARCHCRITERIA" value="Subject=CN%3D6E3C1D1A-0000-4000-8000-000000000001&amp;Stores=My%5CSystem"/>');
    expect(document.clientCertificate.thumbprint).to.equal(createHash("sha1").update(client).digest("hex").toUpperCase());
  });

  it("refuses a DMClient provider that differs from the w7 PROVIDER-ID", () => {
    const xml = buildProvisioningDocument(document).replace('<characteristic type="Provider"><characteristic type="apsim">', '<characteristic type="Provider"><characteristic type="other">');
    expect(codeOf(() => parseProvisioningDocument(xml))).to.equal("MDE2_MESSAGE_FORMAT");
  });

  it("refuses a certificate that does not match its thumbprint, and a document that is not one", () => {
    const xml = buildProvisioningDocument(document).replace(document.clientCertificate.thumbprint, "00".repeat(20));
    expect(codeOf(() => parseProvisioningDocument(xml))).to.equal("MDE2_MESSAGE_FORMAT");
    expect(codeOf(() => parseProvisioningDocument("<other/>"))).to.equal("MDE2_MESSAGE_FORMAT");
    expect(codeOf(() => parseProvisioningDocument(buildProvisioningDocument({ ...document, managementAddress: "http://plain/" })))).to.equal(
      "MDE2_MESSAGE_FORMAT",
    );
  });
});
