import { expect } from "chai";
import { parseMsiInstallJob } from "../../../../agent/index.js";
import { commandsFor, parsePayload, type PayloadRecord } from "../../../../deployment-service/mdm/index.js";

const contentUrlOf = (id: string): string => `https://127.0.0.1:1/deployment/v1/content/${id}`;

function catalogued(document: Record<string, unknown>): PayloadRecord {
  const { spec, content } = parsePayload(document);
  return { payloadId: "p", spec, content: content === undefined ? undefined : { contentId: "c-1", sha256: "ab".repeat(32), size: content.length }, createdAt: 0 };
}

describe("deployment-service/mdm/assignments/payload-commands: payloads as OMA-DM commands", () => {
  it("replaces a policy's node under ./Device or ./User by context", () => {
    const device = commandsFor(catalogued({ kind: "policy", name: "n", area: "Camera", policy: "AllowCamera", value: "0" }), contentUrlOf);
    expect(device).to.deep.equal([{ kind: "Replace", items: [{ target: "./Device/Vendor/MSFT/Policy/Config/Camera/AllowCamera", format: "int", type: "text/plain", data: "0" }] }]);
    const user = commandsFor(catalogued({ kind: "policy", name: "n", context: "user", area: "Browser", policy: "HomePages", value: "https://x", format: "chr" }), contentUrlOf);
    expect(user[0]!.kind === "Replace" && user[0]!.items[0]!.target).to.equal("./User/Vendor/MSFT/Policy/Config/Browser/HomePages");
  });

  it("adds the MSI product's DownloadInstall node and Execs an MsiInstallJob the device reads back", () => {
    const payload = catalogued({ kind: "msi", name: "Tool", productCode: "{0A1B2C3D-0000-4000-8000-00000000ABCD}", productVersion: "2.0.1", content: "AAAA", commandLine: "/qn ALLUSERS=1" });
    const [add, exec] = commandsFor(payload, contentUrlOf);
    const target = "./Device/Vendor/MSFT/EnterpriseDesktopAppManagement/MSI/{0A1B2C3D-0000-4000-8000-00000000ABCD}/DownloadInstall";
    expect(add).to.deep.equal({ kind: "Add", items: [{ target }] });
    expect(exec?.kind).to.equal("Exec");
    const item = exec!.kind === "Exec" ? exec!.items[0]! : undefined;
    expect(item).to.include({ target, format: "xml" });
    expect(parseMsiInstallJob(item!.data!)).to.deep.equal({
      id: "{0A1B2C3D-0000-4000-8000-00000000ABCD}",
      version: "2.0.1",
      contentUrls: [contentUrlOf("c-1")],
      fileHash: "AB".repeat(32),
      commandLine: "/qn ALLUSERS=1",
    });
  });

  it("Execs WindowsLicensing with the product key, and leaves Win32 apps and scripts to the management extension", () => {
    const upgrade = commandsFor(catalogued({ kind: "edition-upgrade", name: "E", edition: "Enterprise", productKey: "NPPR9-FWDCX-D2C8J-H872K-2YT43" }), contentUrlOf);
    expect(upgrade).to.deep.equal([{ kind: "Exec", items: [{ target: "./Device/Vendor/MSFT/WindowsLicensing/UpgradeEditionWithProductKey", format: "chr", type: "text/plain", data: "NPPR9-FWDCX-D2C8J-H872K-2YT43" }] }]);
    expect(commandsFor(catalogued({ kind: "script", name: "s", script: "Write-Output 1" }), contentUrlOf)).to.deep.equal([]);
    expect(commandsFor(catalogued({ kind: "win32", name: "w", appId: "app", content: "AAAA", installCommand: "setup.exe" }), contentUrlOf)).to.deep.equal([]);
  });
});
