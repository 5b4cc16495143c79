/**
 * Certificate enrollment policy, MS-XCEP GetPolicies as MS-MDE2 §3.3 profiles it: the client asks for the policies
 * (with a WS-Security token), the server answers with one policy (schema 3, minimal key length, validity) and the
 * OIDs it references.
 */
import { childElement, childElements, xmlNode, type XmlElement } from "../../lib/index.js";
import { ACTIONS, NS } from "./namespaces.js";
import { faultError, readFault } from "./faults.js";
import {
  buildSoapEnvelope,
  expectElement,
  malformed,
  optionalText,
  parseSoapRequest,
  parseSoapResponse,
  requiredText,
  type SecurityToken,
} from "./soap.js";

/** A GetPolicies request. */
export interface GetPoliciesRequest {
  readonly messageId: string;
  readonly to?: string | undefined;
  readonly security: SecurityToken | undefined;
  readonly lastUpdate?: string | undefined;
  readonly preferredLanguage?: string | undefined;
}

/** The one certificate policy the enrollment server publishes. */
export interface CertificatePolicy {
  readonly commonName: string;
  readonly minimalKeyLength: number;
  readonly validityPeriodSeconds: number;
  readonly renewalPeriodSeconds: number;
  /** The signature hash OID the client is asked to use; undefined lets the client choose. */
  readonly hashAlgorithmOid?: string | undefined;
}

/** A GetPoliciesResponse. */
export interface GetPoliciesResponse {
  readonly relatesTo: string;
  readonly policy: CertificatePolicy;
}

/** MS-XCEP §3.1.4.1.3.1: the only policy schema MS-MDE2 clients accept. */
const POLICY_SCHEMA = "3";

const nil = (name: string): ReturnType<typeof xmlNode> => xmlNode(name, { "xsi:nil": "true" });

/** Serializes a GetPolicies request as Windows sends it. */
export function buildGetPoliciesRequest(request: GetPoliciesRequest): string {
  const body = xmlNode(
    "GetPolicies",
    { xmlns: NS.policy, "xmlns:xsi": NS.xsi },
    xmlNode(
      "client",
      {},
      request.lastUpdate === undefined ? nil("lastUpdate") : xmlNode("lastUpdate", {}, request.lastUpdate),
      request.preferredLanguage === undefined ? nil("preferredLanguage") : xmlNode("preferredLanguage", {}, request.preferredLanguage),
    ),
    nil("requestFilter"),
  );
  return buildSoapEnvelope(
    {
      action: ACTIONS.getPolicies,
      messageId: request.messageId,
      ...(request.to === undefined ? {} : { to: request.to }),
      ...(request.security === undefined ? {} : { security: request.security }),
    },
    body,
  );
}

/** Reads a GetPolicies request; MDE2_MESSAGE_FORMAT when it is not one. */
export function parseGetPoliciesRequest(input: string | Uint8Array): GetPoliciesRequest {
  const soap = parseSoapRequest(input, ACTIONS.getPolicies);
  const getPolicies = expectElement(soap.body, NS.policy, "GetPolicies");
  const client = childElement(getPolicies, NS.policy, "client");
  return {
    messageId: soap.messageId,
    to: soap.to,
    security: soap.security,
    lastUpdate: client === undefined ? undefined : optionalText(client, NS.policy, "lastUpdate"),
    preferredLanguage: client === undefined ? undefined : optionalText(client, NS.policy, "preferredLanguage"),
  };
}

/** Serializes a GetPoliciesResponse with one policy; the hash OID, when given, is OID reference 0. */
export function buildGetPoliciesResponse(response: GetPoliciesResponse): string {
  const { policy } = response;
  const hashReference = policy.hashAlgorithmOid === undefined ? undefined : "0";
  const body = xmlNode(
    "GetPoliciesResponse",
    { xmlns: NS.policy, "xmlns:xsi": NS.xsi },
    xmlNode(
      "response",
      {},
      xmlNode("policyID"),
      nil("policyFriendlyName"),
      nil("nextUpdateHours"),
      nil("policiesNotChanged"),
      xmlNode(
        "policies",
        {},
        xmlNode(
          "policy",
          {},
          xmlNode("policyOIDReference", {}, "0"),
          nil("cAs"),
          xmlNode(
            "attributes",
            {},
            xmlNode("commonName", {}, policy.commonName),
            xmlNode("policySchema", {}, POLICY_SCHEMA),
            xmlNode(
              "certificateValidity",
              {},
              xmlNode("validityPeriodSeconds", {}, String(policy.validityPeriodSeconds)),
              xmlNode("renewalPeriodSeconds", {}, String(policy.renewalPeriodSeconds)),
            ),
            xmlNode("permission", {}, xmlNode("enroll", {}, "true"), xmlNode("autoEnroll", {}, "false")),
            xmlNode(
              "privateKeyAttributes",
              {},
              xmlNode("minimalKeyLength", {}, String(policy.minimalKeyLength)),
              nil("keySpec"),
              nil("keyUsageProperty"),
              nil("permissions"),
              nil("algorithmOIDReference"),
              nil("cryptoProviders"),
            ),
            xmlNode("revision", {}, xmlNode("majorRevision", {}, "101"), xmlNode("minorRevision", {}, "0")),
            nil("supersededPolicies"),
            nil("privateKeyFlags"),
            nil("subjectNameFlags"),
            nil("enrollmentFlags"),
            nil("generalFlags"),
            hashReference === undefined ? nil("hashAlgorithmOIDReference") : xmlNode("hashAlgorithmOIDReference", {}, hashReference),
            nil("rARequirements"),
            nil("keyArchivalAttributes"),
            nil("extensions"),
          ),
        ),
      ),
    ),
    nil("cAs"),
    policy.hashAlgorithmOid === undefined
      ? nil("oIDs")
      : xmlNode(
          "oIDs",
          {},
          xmlNode(
            "oID",
            {},
            xmlNode("value", {}, policy.hashAlgorithmOid),
            xmlNode("group", {}, "1"),
            xmlNode("oIDReferenceID", {}, "0"),
            xmlNode("defaultName", {}, "hash algorithm"),
          ),
        ),
  );
  return buildSoapEnvelope({ action: ACTIONS.getPoliciesResponse, relatesTo: response.relatesTo }, body);
}

function numberOf(parent: XmlElement, localName: string): number {
  const text = requiredText(parent, NS.policy, localName);
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value)) throw malformed(`${localName} is not a number: ${text}`);
  return value;
}

function requiredChild(parent: XmlElement, localName: string): XmlElement {
  const element = childElement(parent, NS.policy, localName);
  if (element === undefined) throw malformed(`${parent.localName} has no ${localName}`);
  return element;
}

/** Reads a GetPoliciesResponse's first policy; a fault becomes its registry error (thrown). */
export function parseGetPoliciesResponse(input: string | Uint8Array): GetPoliciesResponse {
  const soap = parseSoapResponse(input);
  const fault = readFault(soap.body, soap.relatesTo);
  if (fault !== undefined) throw faultError(fault);
  const root = expectElement(soap.body, NS.policy, "GetPoliciesResponse");
  const policy = childElement(requiredChild(requiredChild(root, "response"), "policies"), NS.policy, "policy");
  if (policy === undefined) throw malformed("GetPoliciesResponse holds no policy");
  const attributes = requiredChild(policy, "attributes");
  if (requiredText(attributes, NS.policy, "policySchema") !== POLICY_SCHEMA) throw malformed("policySchema is not 3");
  const validity = requiredChild(attributes, "certificateValidity");
  const hashReference = optionalText(attributes, NS.policy, "hashAlgorithmOIDReference");
  const oids = childElement(root, NS.policy, "oIDs");
  const hashOid =
    hashReference === undefined || oids === undefined
      ? undefined
      : childElements(oids, NS.policy, "oID").find((oid) => optionalText(oid, NS.policy, "oIDReferenceID") === hashReference);
  if (soap.relatesTo === undefined) throw malformed("GetPoliciesResponse has no RelatesTo");
  return {
    relatesTo: soap.relatesTo,
    policy: {
      commonName: optionalText(attributes, NS.policy, "commonName") ?? "",
      minimalKeyLength: numberOf(requiredChild(attributes, "privateKeyAttributes"), "minimalKeyLength"),
      validityPeriodSeconds: numberOf(validity, "validityPeriodSeconds"),
      renewalPeriodSeconds: numberOf(validity, "renewalPeriodSeconds"),
      hashAlgorithmOid: hashOid === undefined ? undefined : optionalText(hashOid, NS.policy, "value"),
    },
  };
}
