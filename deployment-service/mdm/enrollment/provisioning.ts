/**
 * The wap-provisioningdoc of a new enrollment (MS-MDE2 §2.2.9.1): the MDM CA into Root, the client certificate into
 * My (System for device enrollments, User otherwise), the w7 APPLICATION pointing at the management server, and the
 * DMClient provider with the same ProviderID.
 */
import { randomBytes } from "node:crypto";
import { buildProvisioningDocument, certificateThumbprint, type PollSchedule } from "../../../protocol/index.js";

/** Poll schedule of Microsoft's sample document: 8 retries 15 min apart, 5 more 3 h apart, then every 26 h. */
export const DEFAULT_POLL_SCHEDULE: PollSchedule = Object.freeze({
  numberOfFirstRetries: 8,
  intervalForFirstSetOfRetries: 15,
  numberOfSecondRetries: 5,
  intervalForSecondSetOfRetries: 3,
  numberOfRemainingScheduledRetries: 0,
  intervalForRemainingScheduledRetries: 1560,
  pollOnLogin: true,
});

/** What the document installs. */
export interface ProvisioningInputs {
  readonly caCertificate: Uint8Array;
  readonly clientCertificate: Uint8Array;
  readonly clientCommonName: string;
  readonly deviceEnrollment: boolean;
  readonly providerId: string;
  readonly serverName: string;
  readonly managementUrl: string;
}

/** The provisioning document XML for an issued client certificate. */
export function provisioningDocumentFor(inputs: ProvisioningInputs): string {
  // APPAUTH secrets (MS-MDE2 §2.2.9.1) are per enrollment; the management server authenticates devices by their
  // client certificate over mutual TLS, so these are never checked and never kept.
  const secret = (): string => randomBytes(18).toString("base64url");
  return buildProvisioningDocument({
    rootCertificates: [{ thumbprint: certificateThumbprint(inputs.caCertificate), der: inputs.caCertificate }],
    clientCertificate: { thumbprint: certificateThumbprint(inputs.clientCertificate), der: inputs.clientCertificate },
    clientStore: inputs.deviceEnrollment ? "System" : "User",
    clientCommonName: inputs.clientCommonName,
    providerId: inputs.providerId,
    managementAddress: inputs.managementUrl,
    serverName: inputs.serverName,
    appAuth: [
      { level: "CLIENT", type: "DIGEST", name: inputs.providerId, secret: secret(), data: randomBytes(16).toString("base64") },
      { level: "APPSRV", type: "DIGEST", name: inputs.clientCommonName, secret: secret() },
    ],
    connectionRetryFrequency: 6,
    initialBackoffTimeMs: 30_000,
    maxBackoffTimeMs: 120_000,
    poll: DEFAULT_POLL_SCHEDULE,
  });
}
