/**
 * What the device does when the server Execs a node. The effects the rest of the journey acts on later (the MSI
 * install, the edition upgrade, the Autopilot Reset) are recorded, with the device-reported nodes the CSPs
 * document set to their initial values.
 */
import { XmlError, parseXml, type XmlElement } from "../../../lib/index.js";
import { SYNCML_STATUS } from "../../../protocol/index.js";
import type { ExecBehaviour, NodeFormat } from "./csp-node.js";

/** A node the Exec sets as a side effect. */
export interface ExecWrite {
  readonly locUri: string;
  readonly format: NodeFormat;
  readonly value: string;
}

/** The outcome of one Exec. */
export interface ExecOutcome {
  readonly code: number;
  /** True when the Exec is recorded for later simulation. */
  readonly record: boolean;
  readonly writes: readonly ExecWrite[];
}

/** An MsiInstallJob (EnterpriseDesktopAppManagement CSP, "DownloadInstall XSD Schema"), as far as the device needs it. */
export interface MsiInstallJob {
  readonly id: string;
  readonly version: string;
  readonly contentUrls: readonly string[];
  readonly fileHash: string;
  readonly commandLine: string | undefined;
}

/** EnterpriseDesktopAppManagement Status values: 10 is "Initialized" (the job is accepted, nothing run yet). */
export const MSI_STATUS_INITIALIZED = "10";

/** The MsiInstallJob schema has no namespace; elements are matched by local name. */
function childNamed(parent: XmlElement | undefined, localName: string): XmlElement | undefined {
  return parent?.children.find((element) => element.localName === localName);
}

function textOf(parent: XmlElement | undefined, localName: string): string | undefined {
  const text = childNamed(parent, localName)?.text.trim();
  return text === "" ? undefined : text;
}

/**
 * Reads an MsiInstallJob document; undefined when `data` is not one (no id, version, content URL or file hash).
 * @throws XmlError when `data` is not well-formed XML.
 */
export function parseMsiInstallJob(data: string): MsiInstallJob | undefined {
  const root = parseXml(data, { maxBytes: 64 * 1024, maxDepth: 16, maxElements: 500 });
  if (root.localName !== "MsiInstallJob") return undefined;
  const id = root.attributes.find((attribute) => attribute.localName === "id")?.value;
  const product = childNamed(root, "Product");
  const version = product?.attributes.find((attribute) => attribute.localName === "Version")?.value;
  const urlList = childNamed(childNamed(product, "Download"), "ContentURLList");
  const contentUrls = (urlList?.children ?? [])
    .filter((element) => element.localName === "ContentURL")
    .map((url) => url.text.trim())
    .filter((url) => url !== "");
  const fileHash = textOf(childNamed(product, "Validation"), "FileHash");
  if (id === undefined || version === undefined || contentUrls.length === 0 || fileHash === undefined) return undefined;
  return { id, version, contentUrls, fileHash, commandLine: textOf(childNamed(product, "Enforcement"), "CommandLine") };
}

const PRODUCT_KEY = /^[A-Z0-9]{5}(?:-[A-Z0-9]{5}){4}$/i;

function msiDownloadInstall(locUri: string, data: string): ExecOutcome {
  let job: MsiInstallJob | undefined;
  try {
    job = parseMsiInstallJob(data);
  } catch (error) {
    if (error instanceof XmlError) return { code: SYNCML_STATUS.UNSUPPORTED_MEDIA_TYPE, record: false, writes: [] };
    throw error;
  }
  if (job === undefined) return { code: SYNCML_STATUS.BAD_REQUEST, record: false, writes: [] };
  const product = locUri.slice(0, -"/DownloadInstall".length);
  return {
    // The install runs after the session: Windows accepts the job for asynchronous processing.
    code: SYNCML_STATUS.ACCEPTED,
    record: true,
    writes: [
      { locUri: `${product}/Status`, format: "int", value: MSI_STATUS_INITIALIZED },
      { locUri: `${product}/LastError`, format: "int", value: "0" },
    ],
  };
}

/** Runs the Exec `behaviour` on `locUri` with the command's data. */
export function runExec(behaviour: ExecBehaviour, locUri: string, data: string): ExecOutcome {
  switch (behaviour) {
    case "msi-download-install":
      return msiDownloadInstall(locUri, data);
    case "edition-upgrade":
      return PRODUCT_KEY.test(data.trim())
        ? { code: SYNCML_STATUS.OK, record: true, writes: [] }
        : { code: SYNCML_STATUS.BAD_REQUEST, record: false, writes: [] };
    case "automatic-redeployment":
    case "wipe":
    case "unenroll":
      return { code: SYNCML_STATUS.OK, record: true, writes: [] };
  }
}
