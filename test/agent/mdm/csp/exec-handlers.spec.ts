import { expect } from "chai";
import { parseMsiInstallJob } from "../../../../agent/index.js";
import { XmlError } from "../../../../lib/index.js";

// The shape of the DownloadInstall example in the EnterpriseDesktopAppManagement CSP documentation.
const JOB =
  '<MsiInstallJob id="{AF9257BA-6BBD-4624-AA9B-0182D50C9C4D}"><Product Version="1.0.0.0"><Download><ContentURLList>' +
  "<ContentURL>https://cdn.example/a.msi</ContentURL><ContentURL> https://mirror.example/a.msi </ContentURL></ContentURLList></Download>" +
  "<Validation><FileHash>5A4B</FileHash></Validation><Enforcement><CommandLine>/quiet</CommandLine><TimeOut>5</TimeOut>" +
  "<RetryCount>3</RetryCount><RetryInterval>5</RetryInterval></Enforcement></Product></MsiInstallJob>";

describe("agent/mdm/csp/exec-handlers", () => {
  it("reads an MsiInstallJob's product, content URLs, hash and command line", () => {
    expect(parseMsiInstallJob(JOB)).to.deep.equal({
      id: "{AF9257BA-6BBD-4624-AA9B-0182D50C9C4D}",
      version: "1.0.0.0",
      contentUrls: ["https://cdn.example/a.msi", "https://mirror.example/a.msi"],
      fileHash: "5A4B",
      commandLine: "/quiet",
    });
  });

  it("gives undefined for a document that is not a complete job, and XmlError for one that is not XML", () => {
    expect(parseMsiInstallJob("<Other/>")).to.equal(undefined);
    expect(parseMsiInstallJob(JOB.replace(/<Validation>.*<\/Validation>/, ""))).to.equal(undefined);
    expect(parseMsiInstallJob(JOB.replace(/<ContentURLList>.*<\/ContentURLList>/, "<ContentURLList/>"))).to.equal(undefined);
    expect(() => parseMsiInstallJob("<MsiInstallJob")).to.throw(XmlError);
  });
});
