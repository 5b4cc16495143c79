/**
 * What the device takes from the provisioning document of a successful enrollment (MS-MDE2 §2.2.9.1), after
 * checking that it can use it: a client certificate for the key it asked for, valid now and under the CN the
 * certificate search criteria name, a root certificate to install, the management server and ProviderID.
 */
import { X509Certificate, type KeyObject } from "node:crypto";
import { ProtocolError, parseProvisioningDocument, type PollSchedule, type ProvisioningDocument } from "../../../protocol/index.js";

/** The enrollment a device installs. */
export interface ReceivedEnrollment {
  /** The management server's id for the enrollment: the client certificate's CN. */
  readonly enrollmentId: string;
  /** PEM. */
  readonly clientCertificate: string;
  /** PEM of the first root the document installs (the MDM CA). */
  readonly rootCertificate: string;
  /** The OMA-DM management server (w7 ADDR). */
  readonly dmServerUrl: string;
  readonly providerId: string;
  /** `System` for device enrollments, `User` for user enrollments. */
  readonly clientStore: "System" | "User";
  /** The DMClient poll schedule. */
  readonly pollSettings: PollSchedule;
}

const invalid = (detail: string, cause?: unknown): ProtocolError =>
  new ProtocolError("MDE2_RESPONSE_INVALID", detail, cause === undefined ? undefined : { cause });

function certificateOf(der: Uint8Array, what: string): X509Certificate {
  try {
    return new X509Certificate(der);
  } catch (error) {
    throw invalid(`the ${what} is not an X.509 certificate`, error);
  }
}

function parsedDocument(xml: string): ProvisioningDocument {
  try {
    return parseProvisioningDocument(xml);
  } catch (error) {
    if (error instanceof ProtocolError) throw invalid(`provisioning document: ${error.message}`, error);
    throw error;
  }
}

/**
 * Reads and checks the provisioning document against the request's key and the device clock.
 * @throws ProtocolError MDE2_RESPONSE_INVALID when the document is malformed, lacks a root certificate, or its
 *   client certificate carries another key, is not valid at `now`, or is not the one its search criteria name.
 */
export function receiveEnrollment(provisioningXml: string, requestKey: KeyObject, now: number): ReceivedEnrollment {
  const document = parsedDocument(provisioningXml);
  const client = certificateOf(document.clientCertificate.der, "client certificate");
  if (!client.publicKey.equals(requestKey)) throw invalid("the client certificate does not carry the key of the request");
  if (now < Date.parse(client.validFrom) || now > Date.parse(client.validTo)) {
    throw invalid(`the client certificate is not valid now (${client.validFrom} to ${client.validTo})`);
  }
  if (!client.subject.split("\n").includes(`CN=${document.clientCommonName}`)) {
    throw invalid("the client certificate's subject is not the CN its search criteria name");
  }
  const rootDer = document.rootCertificates[0]?.der;
  if (rootDer === undefined) throw invalid("the provisioning document installs no root certificate");
  return {
    enrollmentId: document.clientCommonName,
    clientCertificate: client.toString(),
    rootCertificate: certificateOf(rootDer, "root certificate").toString(),
    dmServerUrl: document.managementAddress,
    providerId: document.providerId,
    clientStore: document.clientStore,
    pollSettings: document.poll,
  };
}
