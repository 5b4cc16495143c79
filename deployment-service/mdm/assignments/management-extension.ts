/**
 * The server side of the management-extension channel (protocol/management-extension.ts): a device's Win32 apps
 * and scripts, and the outcomes it reports, over mutual TLS with its MDM enrollment certificate (the same check as
 * the OMA-DM endpoint). A device may only read and report for its own DeviceID.
 */
import { X509Certificate, createHash } from "node:crypto";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Clock } from "../../../lib/index.js";
import {
  EXTENSION_API_VERSION,
  EXTENSION_ASSIGNMENTS_PATH,
  EXTENSION_LIMITS,
  EXTENSION_RESULTS_PATH,
  ProtocolError,
  parseExtensionResults,
  type ExtensionApp,
  type ExtensionAssignments,
  type ExtensionScript,
} from "../../../protocol/index.js";
import type { EnrollmentRecord, EnrollmentRegistry } from "../enrollment/index.js";
import { authenticateClientCertificate, peerCertificateDer } from "../management/index.js";
import type { ContentUrlOf } from "./payload-commands.js";
import type { PayloadRecord, PayloadStore } from "./payload-store.js";

/** What the channel's routes work with. */
export interface ManagementExtensionOptions {
  readonly store: PayloadStore;
  readonly registry: EnrollmentRegistry;
  /** PEM of the MDM device CA. */
  readonly mdmCaPem: string;
  readonly clock: Clock;
  readonly contentUrlOf: ContentUrlOf;
  readonly payloadsOf: (enrollment: EnrollmentRecord) => Promise<PayloadRecord[]>;
}

/** The Win32 apps and scripts among a device's payloads, as the extension reads them. */
export function extensionAssignmentsOf(payloads: readonly PayloadRecord[], contentUrlOf: ContentUrlOf): ExtensionAssignments {
  const apps: ExtensionApp[] = [];
  const scripts: ExtensionScript[] = [];
  for (const { payloadId, spec, content } of payloads) {
    if (spec.kind === "win32" && content !== undefined) {
      apps.push({ payloadId, name: spec.name, context: spec.context, appId: spec.appId, installCommand: spec.installCommand, contentUrl: contentUrlOf(content.contentId), sha256: content.sha256, size: content.size });
    } else if (spec.kind === "script") {
      scripts.push({ payloadId, name: spec.name, context: spec.context, script: spec.script, sha256: createHash("sha256").update(spec.script, "utf8").digest("hex") });
    }
  }
  return { v: EXTENSION_API_VERSION, apps, scripts };
}

/** Mounts the channel's two routes on `scope`. */
export function registerManagementExtensionRoutes(scope: FastifyInstance, options: ManagementExtensionOptions): void {
  const check = { mdmCa: new X509Certificate(options.mdmCaPem), registry: options.registry, clock: options.clock };
  const deviceOf = async (request: FastifyRequest<{ Params: { deviceId: string } }>): Promise<EnrollmentRecord> => {
    const enrollment = await authenticateClientCertificate(peerCertificateDer(request.raw.socket), check);
    if (enrollment.deviceId.toUpperCase() !== request.params.deviceId.toUpperCase()) {
      throw new ProtocolError("MDM_CLIENT_CERTIFICATE_REFUSED", "the client certificate is another device's");
    }
    return enrollment;
  };

  scope.get<{ Params: { deviceId: string } }>(EXTENSION_ASSIGNMENTS_PATH, async (request) => {
    const enrollment = await deviceOf(request);
    return extensionAssignmentsOf(await options.payloadsOf(enrollment), options.contentUrlOf);
  });
  scope.post<{ Params: { deviceId: string } }>(EXTENSION_RESULTS_PATH, { bodyLimit: EXTENSION_LIMITS.maxResultsBytes }, async (request, reply) => {
    const enrollment = await deviceOf(request);
    const { results } = parseExtensionResults(request.body);
    const assigned = new Set((await options.payloadsOf(enrollment)).filter((payload) => payload.spec.kind === "win32" || payload.spec.kind === "script").map((payload) => payload.payloadId));
    const stranger = results.find((result) => !assigned.has(result.payloadId));
    if (stranger !== undefined) throw new ProtocolError("PAYLOAD_NOT_FOUND", `${stranger.payloadId.slice(0, 64)} is no Win32 app or script of this device`);
    const now = options.clock.now();
    for (const result of results) await options.store.recordExtensionResult(enrollment.deviceId, result, now);
    return reply.code(204).send();
  });
}
