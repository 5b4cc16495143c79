/**
 * The management-extension channel: how a managed device's extension (Windows' Intune Management Extension plays
 * this part) learns the Win32 apps and PowerShell scripts it must run and reports what became of them. Our own JSON
 * shape, over mutual TLS with the MDM enrollment's client certificate, `:deviceId` being the enrollment's DeviceID:
 *
 *   GET  {base}deployment/v1/mde/:deviceId/assignments   → ExtensionAssignments
 *   POST {base}deployment/v1/mde/:deviceId/results       ExtensionResults → 204
 *   errors: HTTP status + ErrorBody (protocol/errors.ts), JSON
 *
 * ExtensionAssignments:
 *   { "v": 1,
 *     "apps": [{ "payloadId", "name", "context": "device"|"user", "appId", "installCommand",
 *                "contentUrl": "<https URL>", "sha256": "<hex of the content>", "size": <bytes> }],
 *     "scripts": [{ "payloadId", "name", "context", "script": "<PowerShell text>", "sha256": "<hex of its UTF-8>" }] }
 *
 * ExtensionResults:
 *   { "v": 1, "results": [{ "payloadId", "outcome": "success"|"failure"|"reboot", "exitCode": <int> }] }
 */
import { ProtocolError } from "./errors.js";

export const EXTENSION_API_VERSION = 1;

/** The path of a device's assignments (`:deviceId` its MDM DeviceID). */
export const EXTENSION_ASSIGNMENTS_PATH = "/deployment/v1/mde/:deviceId/assignments";
/** The path a device posts its results to. */
export const EXTENSION_RESULTS_PATH = "/deployment/v1/mde/:deviceId/results";

/** A Win32 app the extension installs. */
export interface ExtensionApp {
  readonly payloadId: string;
  readonly name: string;
  readonly context: "device" | "user";
  readonly appId: string;
  readonly installCommand: string;
  readonly contentUrl: string;
  readonly sha256: string;
  readonly size: number;
}

/** A PowerShell script the extension runs. */
export interface ExtensionScript {
  readonly payloadId: string;
  readonly name: string;
  readonly context: "device" | "user";
  readonly script: string;
  readonly sha256: string;
}

export interface ExtensionAssignments {
  readonly v: typeof EXTENSION_API_VERSION;
  readonly apps: readonly ExtensionApp[];
  readonly scripts: readonly ExtensionScript[];
}

/** What became of an app install or a script run. */
export type ExtensionOutcome = "success" | "failure" | "reboot";

export interface ExtensionResult {
  readonly payloadId: string;
  readonly outcome: ExtensionOutcome;
  /** The installer's or script's exit code (0 on success; 3010 asks for a reboot as MSI does). */
  readonly exitCode: number;
}

export interface ExtensionResults {
  readonly v: typeof EXTENSION_API_VERSION;
  readonly results: readonly ExtensionResult[];
}

/** Bounds of the channel's documents. */
export const EXTENSION_LIMITS = Object.freeze({ maxItems: 200, maxResultsBytes: 64 * 1024, maxAssignmentsBytes: 16 * 1024 * 1024 });

const OUTCOMES: readonly string[] = ["success", "failure", "reboot"];
const SHA256_HEX = /^[0-9a-f]{64}$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function malformed(detail: string): ProtocolError {
  return new ProtocolError("MALFORMED_REQUEST", detail);
}

function stringField(record: Record<string, unknown>, name: string, where: string, maxLength = 1024): string {
  const value = record[name];
  if (typeof value !== "string" || value.length === 0 || value.length > maxLength) throw malformed(`${where}.${name} must be a string of 1 to ${maxLength} characters`);
  return value;
}

function contextField(record: Record<string, unknown>, where: string): "device" | "user" {
  const value = record.context;
  if (value !== "device" && value !== "user") throw malformed(`${where}.context must be device or user`);
  return value;
}

function items(document: Record<string, unknown>, name: string): unknown[] {
  const value = document[name];
  if (!Array.isArray(value) || value.length > EXTENSION_LIMITS.maxItems) throw malformed(`${name} must list at most ${EXTENSION_LIMITS.maxItems} items`);
  return value;
}

/**
 * Reads an ExtensionResults document.
 * @throws ProtocolError MALFORMED_REQUEST for anything else.
 */
export function parseExtensionResults(document: unknown): ExtensionResults {
  if (!isRecord(document) || document.v !== EXTENSION_API_VERSION) throw malformed(`results must be a JSON object with v ${EXTENSION_API_VERSION}`);
  const results = items(document, "results").map((item, index): ExtensionResult => {
    const where = `results[${index}]`;
    if (!isRecord(item)) throw malformed(`${where} must be an object`);
    const outcome = item.outcome;
    if (typeof outcome !== "string" || !OUTCOMES.includes(outcome)) throw malformed(`${where}.outcome must be one of ${OUTCOMES.join(", ")}`);
    const exitCode = item.exitCode;
    if (typeof exitCode !== "number" || !Number.isSafeInteger(exitCode) || exitCode < -0x80000000 || exitCode > 0xffffffff) throw malformed(`${where}.exitCode must be a 32-bit integer`);
    return { payloadId: stringField(item, "payloadId", where, 64), outcome: outcome as ExtensionOutcome, exitCode };
  });
  return { v: EXTENSION_API_VERSION, results };
}

/**
 * Reads an ExtensionAssignments document (the device's side).
 * @throws ProtocolError MALFORMED_REQUEST for anything else.
 */
export function parseExtensionAssignments(document: unknown): ExtensionAssignments {
  if (!isRecord(document) || document.v !== EXTENSION_API_VERSION) throw malformed(`assignments must be a JSON object with v ${EXTENSION_API_VERSION}`);
  const apps = items(document, "apps").map((item, index): ExtensionApp => {
    const where = `apps[${index}]`;
    if (!isRecord(item)) throw malformed(`${where} must be an object`);
    const contentUrl = stringField(item, "contentUrl", where, 2048);
    if (!contentUrl.startsWith("https://")) throw malformed(`${where}.contentUrl must be an https URL`);
    const sha256 = stringField(item, "sha256", where, 64);
    if (!SHA256_HEX.test(sha256)) throw malformed(`${where}.sha256 must be 64 lower-case hex digits`);
    const size = item.size;
    if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 0) throw malformed(`${where}.size must be a byte count`);
    return {
      payloadId: stringField(item, "payloadId", where, 64),
      name: stringField(item, "name", where, 256),
      context: contextField(item, where),
      appId: stringField(item, "appId", where, 128),
      installCommand: stringField(item, "installCommand", where, 256),
      contentUrl,
      sha256,
      size,
    };
  });
  const scripts = items(document, "scripts").map((item, index): ExtensionScript => {
    const where = `scripts[${index}]`;
    if (!isRecord(item)) throw malformed(`${where} must be an object`);
    const sha256 = stringField(item, "sha256", where, 64);
    if (!SHA256_HEX.test(sha256)) throw malformed(`${where}.sha256 must be 64 lower-case hex digits`);
    return {
      payloadId: stringField(item, "payloadId", where, 64),
      name: stringField(item, "name", where, 256),
      context: contextField(item, where),
      script: stringField(item, "script", where, 64 * 1024),
      sha256,
    };
  });
  return { v: EXTENSION_API_VERSION, apps, scripts };
}
