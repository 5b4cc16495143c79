/**
 * A CSP node declared as data (the Description Framework properties Microsoft's CSP pages list for each node):
 * its path pattern, the commands it accepts, its formats, and for read-only nodes where its value comes from.
 */

/** Node formats of the OMA-DM Description Framework as Windows uses them. */
export type NodeFormat = "chr" | "int" | "bool" | "b64" | "xml" | "node";

/** Commands a node accepts ("Access Type" in the CSP documentation). */
export type NodeAccess = "Get" | "Add" | "Replace" | "Delete" | "Exec";

/** What the device knows about itself; read-only nodes (./DevInfo, ./DevDetail, DMClient) answer from it. */
export interface DeviceIdentity {
  /** ./DevInfo/DevId: the MDM DeviceID (32 hex digits on Windows). */
  readonly deviceId: string;
  readonly manufacturer: string;
  readonly model: string;
  /** The enrollment's DMClient provider ID (`MS DM Server` for Intune). */
  readonly providerId: string;
  /** ./DevInfo/Lang; default en-US. */
  readonly language?: string;
  /** ./DevDetail/SwV: the OS version, e.g. 10.0.19043.1237. */
  readonly osVersion?: string;
  /** ./DevDetail/HwV and FwV. */
  readonly hardwareVersion?: string;
  readonly firmwareVersion?: string;
  /** ./DevDetail/OEM; default the manufacturer. */
  readonly oem?: string;
  /** ./DevDetail/Ext/Microsoft/DNSComputerName before any Replace. */
  readonly computerName?: string;
  /** ./DevDetail/Ext/Microsoft/OSPlatform, e.g. Windows 10 Enterprise. */
  readonly osPlatform?: string;
  /** ./Vendor/MSFT/DMClient/HWDevID. */
  readonly hardwareDeviceId?: string;
}

/** Named behaviours of Exec nodes (agent/mdm/csp/exec-handlers.ts). */
export type ExecBehaviour = "msi-download-install" | "edition-upgrade" | "automatic-redeployment" | "wipe" | "unenroll";

/** One node, or a family of nodes when its pattern holds wildcards. */
export interface CspNodeDefinition {
  /**
   * The LocURI pattern: `*` matches any one segment, `{provider}` only the enrollment's provider ID. Device-scope
   * CSPs are written under `./Device/Vendor/MSFT`; `./Vendor/MSFT/…` is read as the same node.
   */
  readonly pattern: string;
  readonly access: readonly NodeAccess[];
  /** Formats accepted on writes; the first is the one reported by Get. */
  readonly formats: readonly NodeFormat[];
  /** A read-only value supplied by the device. */
  readonly deviceValue?: (identity: DeviceIdentity) => string | undefined;
  /** The value Get reports before any write (the CSP's documented default). */
  readonly defaultValue?: string;
  /**
   * Windows answers Get with 404 on these nodes even once set: policies of ADMX-ingested (`~` in the area name)
   * and Win32 apps (observed by Fleet's profile verifier).
   */
  readonly getNotFound?: (locUri: string) => boolean;
  /** A rule on replacing `previous` with `next`; a status code refuses the write. */
  readonly writeRule?: (previous: string | undefined, next: string) => number | undefined;
  readonly exec?: ExecBehaviour;
  /** Exec needs the node to exist first (an Add before the Exec, as MSI DownloadInstall does). */
  readonly execNeedsNode?: boolean;
}

/** A node definition compiled for matching. */
export interface CompiledNode {
  readonly definition: CspNodeDefinition;
  readonly segments: readonly string[];
  /** Wildcard segments: fewer is more specific. */
  readonly wildcards: number;
}

/** Compiles definitions for {@link matchNode}. */
export function compileNodes(definitions: readonly CspNodeDefinition[]): CompiledNode[] {
  return definitions.map((definition) => {
    const segments = definition.pattern.split("/");
    return { definition, segments, wildcards: segments.filter((segment) => segment === "*" || segment === "{provider}").length };
  });
}

/**
 * The canonical form of a LocURI: `./Vendor/MSFT/…` is the device scope `./Device/Vendor/MSFT/…` (Policy CSP
 * documentation, "Policy scope"); a trailing slash is dropped. Undefined for a URI that is not a relative `./` path
 * or holds empty, `.` or `..` segments.
 */
export function canonicalLocUri(locUri: string): string | undefined {
  let uri = locUri.endsWith("/") ? locUri.slice(0, -1) : locUri;
  if (!uri.startsWith("./")) return undefined;
  if (uri.startsWith("./Vendor/")) uri = "./Device" + uri.slice(1);
  const segments = uri.split("/").slice(1);
  if (segments.some((segment) => segment === "" || segment === "." || segment === "..")) return undefined;
  return uri;
}

/** The most specific definition whose pattern matches the canonical `locUri`. */
export function matchNode(nodes: readonly CompiledNode[], locUri: string, identity: DeviceIdentity): CompiledNode | undefined {
  const segments = locUri.split("/");
  let best: CompiledNode | undefined;
  for (const node of nodes) {
    if (node.segments.length !== segments.length) continue;
    const matches = node.segments.every((pattern, index) => {
      if (pattern === "*") return true;
      if (pattern === "{provider}") return segments[index] === identity.providerId || percentDecoded(segments[index]!) === identity.providerId;
      return pattern === segments[index];
    });
    if (matches && (best === undefined || node.wildcards < best.wildcards)) best = node;
  }
  return best;
}

/** A percent-escaped segment decoded (`MS%20DM%20Server`), or undefined when it is not valid escaping. */
function percentDecoded(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
