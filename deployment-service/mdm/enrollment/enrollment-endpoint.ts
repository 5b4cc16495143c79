/**
 * Enrollment, MS-WSTEP RequestSecurityToken (MS-MDE2 §3.4): authenticate the requester, verify the PKCS#10 (its
 * self-signature, key size, and the DeviceID it names), refuse a self-deployed device whose enrollment record still
 * exists (0x80180014), issue the client certificate from the MDM CA for the request's key, record the enrollment,
 * and answer the provisioning document.
 */
import { randomUUID } from "node:crypto";
import type { FastifyRequest } from "fastify";
import {
  PkiError,
  issueMdmClientCertificate,
  requestedDeviceId,
  verifyCertificateRequest,
  type CertificateRequest,
  type MdmCa,
} from "../../../certs/index.js";
import type { Clock } from "../../../lib/index.js";
import {
  MDE2_TOKEN_TYPES,
  ProtocolError,
  buildRequestSecurityTokenResponse,
  certificateThumbprint,
  parseRequestSecurityToken,
  readEnrollmentContext,
  type AuthPolicy,
} from "../../../protocol/index.js";
import type { EnrollmentAuthenticator } from "./authenticator.js";
import { authenticateRequester, clientCertificateOf } from "./credentials.js";
import type { EnrollmentRegistry } from "./enrollment-registry.js";
import { CERTIFICATE_POLICY } from "./policy-endpoint.js";
import { provisioningDocumentFor } from "./provisioning.js";
import { noteMessageId, soapBody } from "./soap-replies.js";

/** What the enrollment endpoint works with. */
export interface EnrollmentSettings {
  readonly authenticator: EnrollmentAuthenticator;
  readonly registry: EnrollmentRegistry;
  readonly mdmCa: MdmCa;
  readonly clock: Clock;
  readonly authPolicies: readonly AuthPolicy[];
  readonly providerId: string;
  readonly serverName: string;
  readonly managementUrl: string;
}

const SMALLEST_EC_KEY_BITS = 256;
/** The response's WS-Security Timestamp lifetime, as in MS-MDE2's example. */
const RESPONSE_LIFETIME_MS = 5 * 60 * 1000;

async function verifiedRequest(der: Uint8Array, deviceId: string): Promise<CertificateRequest> {
  let request: CertificateRequest;
  try {
    request = await verifyCertificateRequest(der);
  } catch (error) {
    if (error instanceof PkiError) throw new ProtocolError("MDE2_CERTIFICATE_REQUEST", `${error.code}: ${error.message}`, { cause: error });
    throw error;
  }
  const smallest = request.keyType === "rsa" ? CERTIFICATE_POLICY.minimalKeyLength : SMALLEST_EC_KEY_BITS;
  if (request.keyBits < smallest) {
    throw new ProtocolError("MDE2_CERTIFICATE_REQUEST", `a ${request.keyBits}-bit ${request.keyType} key is below the policy's ${smallest}`);
  }
  const named = requestedDeviceId(request);
  if (named !== undefined && named.toUpperCase() !== deviceId.toUpperCase()) {
    throw new ProtocolError("MDE2_CERTIFICATE_REQUEST", "the request names another DeviceID than the enrollment context");
  }
  return request;
}

/** The RequestSecurityTokenResponseCollection envelope for a RequestSecurityToken. */
export async function answerRequestSecurityToken(request: FastifyRequest, settings: EnrollmentSettings): Promise<string> {
  const rst = parseRequestSecurityToken(soapBody(request));
  noteMessageId(request, rst.messageId);
  if (rst.tokenType !== MDE2_TOKEN_TYPES.deviceEnrollment) throw new ProtocolError("MDE2_MESSAGE_FORMAT", `token type ${rst.tokenType.slice(0, 200)}`);
  if (rst.requestType !== MDE2_TOKEN_TYPES.issue) throw new ProtocolError("MDE2_NOT_ELIGIBLE_TO_RENEW", "only new enrollments (Issue) are served");
  if (rst.requestValueType !== MDE2_TOKEN_TYPES.pkcs10) throw new ProtocolError("MDE2_CERTIFICATE_REQUEST", "only PKCS#10 requests are accepted");
  const { identity, authKind } = await authenticateRequester(rst.security, settings.authenticator, settings.authPolicies, clientCertificateOf(request));

  const { deviceId, enrollmentType } = readEnrollmentContext(rst.context);
  const certificateRequest = await verifiedRequest(rst.certificateRequest, deviceId);

  const existing = await settings.registry.findByDeviceId(deviceId);
  if (existing?.selfDeploying === true) {
    throw new ProtocolError("MDE2_DEVICE_NOT_SUPPORTED", "the device's previous self-deployed enrollment must be deleted first");
  }

  const now = settings.clock.now();
  const enrollmentId = randomUUID().toUpperCase();
  const certificate = await issueMdmClientCertificate(settings.mdmCa, {
    subjectPublicKeyInfo: certificateRequest.subjectPublicKeyInfo,
    commonName: enrollmentId,
    now: new Date(now),
  });
  const der = new Uint8Array(certificate.rawData);
  await settings.registry.record({
    enrollmentId,
    deviceId,
    directoryDeviceId: identity.deviceId,
    userPrincipalName: identity.userPrincipalName,
    enrollmentType,
    authKind,
    selfDeploying: identity.selfDeploying,
    certificateSerial: certificate.serialNumber.toLowerCase(),
    certificateThumbprint: certificateThumbprint(der),
    enrolledAt: now,
  });
  const provisioningDocument = provisioningDocumentFor({
    caCertificate: new Uint8Array(settings.mdmCa.certificate.rawData),
    clientCertificate: der,
    clientCommonName: enrollmentId,
    deviceEnrollment: enrollmentType.toLowerCase() === "device" || identity.userPrincipalName === undefined,
    providerId: settings.providerId,
    serverName: settings.serverName,
    managementUrl: settings.managementUrl,
  });
  return buildRequestSecurityTokenResponse({
    relatesTo: rst.messageId,
    provisioningDocument,
    timestamp: { created: new Date(now), expires: new Date(now + RESPONSE_LIFETIME_MS) },
  });
}
