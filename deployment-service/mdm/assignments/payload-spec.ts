/**
 * What an administrator puts in the payload catalogue, as JSON, and how it is read: a policy (Policy CSP), an MSI
 * app (EnterpriseDesktopAppManagement CSP) or Win32 app with its content, a PowerShell script, or an edition upgrade
 * (WindowsLicensing CSP); each with the context it applies in and the groups it is assigned to.
 *
 * ```
 * {"kind": "policy", "name": "…", "context": "device"|"user", "area": "Camera", "policy": "AllowCamera",
 *  "value": "0", "format": "int"|"chr"|"bool", "assignments": {...}}
 * {"kind": "msi", "name": "…", "context": "device"|"user", "productCode": "{GUID}", "productVersion": "1.0.0",
 *  "content": "<base64 of the .msi>", "commandLine": "/quiet", "assignments": {...}}
 * {"kind": "win32", "name": "…", "context": "device"|"user", "appId": "…", "content": "<base64>",
 *  "installCommand": "setup.exe /S", "assignments": {...}}
 * {"kind": "script", "name": "…", "context": "device"|"user", "script": "<PowerShell text>", "assignments": {...}}
 * {"kind": "edition-upgrade", "name": "…", "context": "device", "edition": "Enterprise",
 *  "productKey": "XXXXX-XXXXX-XXXXX-XXXXX-XXXXX", "assignments": {...}}
 * assignments: {"allDevices"?: true, "allUsers"?: true, "groups"?: ["<group id>", …]}
 * ```
 */
import { ProtocolError } from "../../../protocol/index.js";

/** Where a payload applies: the device (`./Device/…`, SYSTEM) or the signed-in user (`./User/…`). */
export type PayloadContext = "device" | "user";

/** The kinds of payload. */
export const PAYLOAD_KINDS = ["policy", "msi", "win32", "script", "edition-upgrade"] as const;
export type PayloadKind = (typeof PAYLOAD_KINDS)[number];

/** Who a payload is assigned to. */
export interface PayloadAssignments {
  readonly allDevices: boolean;
  /** Every device a user signed in to enrolled (user-context payloads reach the user there). */
  readonly allUsers: boolean;
  readonly groups: readonly string[];
}

interface PayloadBase {
  readonly name: string;
  readonly context: PayloadContext;
  readonly assignments: PayloadAssignments;
}

/** A Policy CSP setting, `./<Device|User>/Vendor/MSFT/Policy/Config/<area>/<policy>`. */
export interface PolicyPayloadSpec extends PayloadBase {
  readonly kind: "policy";
  readonly area: string;
  readonly policy: string;
  readonly value: string;
  readonly format: "int" | "chr" | "bool";
}

/** A line-of-business MSI app, installed through an MsiInstallJob. */
export interface MsiPayloadSpec extends PayloadBase {
  readonly kind: "msi";
  readonly productCode: string;
  readonly productVersion: string;
  readonly commandLine: string;
}

/** A Win32 app (.intunewin), installed by the management extension. */
export interface Win32PayloadSpec extends PayloadBase {
  readonly kind: "win32";
  readonly appId: string;
  readonly installCommand: string;
}

/** A PowerShell script, run once by the management extension. */
export interface ScriptPayloadSpec extends PayloadBase {
  readonly kind: "script";
  readonly script: string;
}

/** An edition upgrade with a product key (WindowsLicensing/UpgradeEditionWithProductKey). */
export interface EditionUpgradePayloadSpec extends PayloadBase {
  readonly kind: "edition-upgrade";
  readonly edition: string;
  readonly productKey: string;
}

/** A payload as catalogued (content bytes are kept apart, see {@link ParsedPayload}). */
export type PayloadSpec = PolicyPayloadSpec | MsiPayloadSpec | Win32PayloadSpec | ScriptPayloadSpec | EditionUpgradePayloadSpec;

/** A payload document read: the spec and, for apps, the content bytes to store and serve. */
export interface ParsedPayload {
  readonly spec: PayloadSpec;
  readonly content: Buffer | undefined;
}

/** Bounds of a payload document. */
export const PAYLOAD_LIMITS = Object.freeze({
  /** Largest app content, in bytes. */
  maxContentBytes: 8 * 1024 * 1024,
  /** Largest JSON document (the base64 content and some room). */
  maxDocumentBytes: 12 * 1024 * 1024,
  maxScriptLength: 64 * 1024,
  maxGroups: 100,
  maxTextLength: 256,
});

const NAME_SEGMENT = /^[A-Za-z0-9_.-]{1,128}$/;
const PRODUCT_CODE = /^\{[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}$/;
const VERSION = /^\d{1,5}(?:\.\d{1,5}){0,3}$/;
const PRODUCT_KEY = /^[A-Z0-9]{5}(?:-[A-Z0-9]{5}){4}$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function invalid(detail: string): ProtocolError {
  return new ProtocolError("PAYLOAD_INVALID", detail);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function text(record: Record<string, unknown>, name: string, options: { pattern?: RegExp; maxLength?: number; fallback?: string } = {}): string {
  const value = record[name] ?? options.fallback;
  const maxLength = options.maxLength ?? PAYLOAD_LIMITS.maxTextLength;
  if (typeof value !== "string" || value.length === 0 || value.length > maxLength) throw invalid(`${name} must be a string of 1 to ${maxLength} characters`);
  if (options.pattern !== undefined && !options.pattern.test(value)) throw invalid(`${name} is not in the expected form`);
  return value;
}

function parseAssignments(value: unknown): PayloadAssignments {
  if (value === undefined) return { allDevices: false, allUsers: false, groups: [] };
  if (!isRecord(value)) throw invalid("assignments must be an object");
  const flag = (name: string): boolean => {
    const flagValue = value[name] ?? false;
    if (typeof flagValue !== "boolean") throw invalid(`assignments.${name} must be a boolean`);
    return flagValue;
  };
  const groups = value.groups ?? [];
  if (!Array.isArray(groups) || groups.length > PAYLOAD_LIMITS.maxGroups || groups.some((group) => typeof group !== "string" || group.length === 0 || group.length > 64)) {
    throw invalid(`assignments.groups must list at most ${PAYLOAD_LIMITS.maxGroups} group ids`);
  }
  return { allDevices: flag("allDevices"), allUsers: flag("allUsers"), groups: [...new Set(groups as string[])] };
}

function parseContent(record: Record<string, unknown>): Buffer {
  const encoded = record.content;
  const maxEncoded = Math.ceil(PAYLOAD_LIMITS.maxContentBytes / 3) * 4;
  if (typeof encoded !== "string" || encoded.length === 0 || encoded.length > maxEncoded || encoded.length % 4 !== 0 || !BASE64.test(encoded)) {
    throw invalid(`content must be the base64 of 1 to ${PAYLOAD_LIMITS.maxContentBytes} bytes`);
  }
  return Buffer.from(encoded, "base64");
}

/**
 * Reads a payload document.
 * @throws ProtocolError PAYLOAD_INVALID for anything else.
 */
export function parsePayload(document: unknown): ParsedPayload {
  if (!isRecord(document)) throw invalid("the payload must be a JSON object");
  const kind = document.kind;
  if (typeof kind !== "string" || !(PAYLOAD_KINDS as readonly string[]).includes(kind)) throw invalid(`kind must be one of ${PAYLOAD_KINDS.join(", ")}`);
  if (document.context !== undefined && document.context !== "device" && document.context !== "user") throw invalid("context must be device or user");
  const context: PayloadContext = document.context === "user" ? "user" : "device";
  const base = { name: text(document, "name"), context, assignments: parseAssignments(document.assignments) };
  switch (kind as PayloadKind) {
    case "policy": {
      const format = document.format ?? "int";
      if (format !== "int" && format !== "chr" && format !== "bool") throw invalid("format must be int, chr or bool");
      const value = text(document, "value", { maxLength: 4096 });
      if (format === "int" && !/^-?\d{1,10}$/.test(value)) throw invalid("value must be an integer for format int");
      if (format === "bool" && value !== "true" && value !== "false") throw invalid("value must be true or false for format bool");
      const spec: PolicyPayloadSpec = { kind: "policy", ...base, area: text(document, "area", { pattern: NAME_SEGMENT }), policy: text(document, "policy", { pattern: NAME_SEGMENT }), value, format };
      return { spec, content: undefined };
    }
    case "msi": {
      const spec: MsiPayloadSpec = {
        kind: "msi",
        ...base,
        productCode: text(document, "productCode", { pattern: PRODUCT_CODE }).toUpperCase(),
        productVersion: text(document, "productVersion", { pattern: VERSION }),
        commandLine: text(document, "commandLine", { fallback: "/quiet" }),
      };
      return { spec, content: parseContent(document) };
    }
    case "win32": {
      const spec: Win32PayloadSpec = { kind: "win32", ...base, appId: text(document, "appId", { pattern: NAME_SEGMENT }), installCommand: text(document, "installCommand") };
      return { spec, content: parseContent(document) };
    }
    case "script":
      return { spec: { kind: "script", ...base, script: text(document, "script", { maxLength: PAYLOAD_LIMITS.maxScriptLength }) }, content: undefined };
    case "edition-upgrade":
      // WindowsLicensing upgrades the whole installation: it has no user context.
      if (base.context !== "device") throw invalid("an edition upgrade applies in the device context only");
      return {
        spec: { kind: "edition-upgrade", ...base, edition: text(document, "edition", { pattern: NAME_SEGMENT }), productKey: text(document, "productKey", { pattern: PRODUCT_KEY }) },
        content: undefined,
      };
  }
}
