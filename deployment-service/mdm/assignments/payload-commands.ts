/**
 * How a catalogued payload reaches the device as OMA-DM commands: a policy as a Replace of its Policy CSP node, an
 * MSI app as an Add of `…/EnterpriseDesktopAppManagement/MSI/{ProductCode}/DownloadInstall` and an Exec of it with
 * the MsiInstallJob (EnterpriseDesktopAppManagement CSP, "DownloadInstall XSD Schema": content URL and SHA-256
 * FileHash), an edition upgrade as an Exec of WindowsLicensing/UpgradeEditionWithProductKey. Win32 apps and scripts
 * have no command: the management extension fetches them (see management-extension.ts).
 */
import type { CommandSpec } from "../management/index.js";
import type { PayloadRecord } from "./payload-store.js";
import type { MsiPayloadSpec, PayloadContext } from "./payload-spec.js";

/** The URL of a content id on the service: `GET /deployment/v1/content/<id>`. */
export type ContentUrlOf = (contentId: string) => string;

/** The path content is served at, with `:id` for the content id. */
export const CONTENT_ROUTE = "/deployment/v1/content/:id";

/** `./Device` or `./User`: the root of a context's CSPs (MS-MDM: user-context nodes live under ./User). */
export function cspRootOf(context: PayloadContext): string {
  return context === "device" ? "./Device" : "./User";
}

const escapeXml = (value: string): string =>
  value.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");

/** The MsiInstallJob document of an MSI app whose content is at `contentUrl` with SHA-256 `sha256` (hex). */
export function msiInstallJob(spec: MsiPayloadSpec, contentUrl: string, sha256: string): string {
  return [
    `<MsiInstallJob id="${escapeXml(spec.productCode)}">`,
    `<Product Version="${escapeXml(spec.productVersion)}">`,
    `<Download><ContentURLList><ContentURL>${escapeXml(contentUrl)}</ContentURL></ContentURLList></Download>`,
    `<Validation><FileHash>${sha256.toUpperCase()}</FileHash></Validation>`,
    `<Enforcement><CommandLine>${escapeXml(spec.commandLine)}</CommandLine><TimeOut>10</TimeOut><RetryCount>3</RetryCount><RetryInterval>5</RetryInterval></Enforcement>`,
    `</Product>`,
    `</MsiInstallJob>`,
  ].join("");
}

/** The commands that deliver `payload`, in order; none for what the management extension delivers. */
export function commandsFor(payload: PayloadRecord, contentUrlOf: ContentUrlOf): CommandSpec[] {
  const { spec } = payload;
  const root = cspRootOf(spec.context);
  switch (spec.kind) {
    case "policy":
      return [{ kind: "Replace", items: [{ target: `${root}/Vendor/MSFT/Policy/Config/${spec.area}/${spec.policy}`, format: spec.format, type: "text/plain", data: spec.value }] }];
    case "msi": {
      const target = `${root}/Vendor/MSFT/EnterpriseDesktopAppManagement/MSI/${spec.productCode}/DownloadInstall`;
      const content = payload.content!;
      return [
        { kind: "Add", items: [{ target }] },
        { kind: "Exec", items: [{ target, format: "xml", type: "text/plain", data: msiInstallJob(spec, contentUrlOf(content.contentId), content.sha256) }] },
      ];
    }
    case "edition-upgrade":
      return [{ kind: "Exec", items: [{ target: "./Device/Vendor/MSFT/WindowsLicensing/UpgradeEditionWithProductKey", format: "chr", type: "text/plain", data: spec.productKey }] }];
    case "win32":
    case "script":
      return [];
  }
}
