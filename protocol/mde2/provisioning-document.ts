/**
 * The wap-provisioningdoc an enrollment response carries (MS-MDE2 §2.2.9.1): the root and client certificates for
 * the CertificateStore CSP, the w7 APPLICATION (management server address, ProviderID, APPAUTH credentials), and
 * the DMClient provider with its poll schedule. The DMClient ProviderID must equal the w7 PROVIDER-ID.
 */
import { createHash } from "node:crypto";
import { attributeValue, serializeXml, xmlNode, type XmlElement, type XmlNode } from "../../lib/index.js";
import { decodeBase64, malformed, parseMde2Xml } from "./soap.js";

/** A certificate installed by the document, keyed by its thumbprint. */
export interface ProvisionedCertificate {
  /** Upper-case hex SHA-1 of the DER (the certificate store's key). */
  readonly thumbprint: string;
  readonly der: Uint8Array;
}

/** One APPAUTH block: CLIENT is what the server presents, APPSRV what the client uses (MS-MDE2 §2.2.9.1). */
export interface AppAuth {
  readonly level: "CLIENT" | "APPSRV";
  readonly type: string;
  readonly name: string;
  readonly secret?: string | undefined;
  readonly data?: string | undefined;
}

/** The DMClient poll schedule (DMClient CSP Provider/ProviderID/Poll). */
export interface PollSchedule {
  readonly numberOfFirstRetries: number;
  readonly intervalForFirstSetOfRetries: number;
  readonly numberOfSecondRetries: number;
  readonly intervalForSecondSetOfRetries: number;
  readonly numberOfRemainingScheduledRetries: number;
  readonly intervalForRemainingScheduledRetries: number;
  readonly pollOnLogin: boolean;
}

/** What a device takes from the document. */
export interface ProvisioningDocument {
  readonly rootCertificates: readonly ProvisionedCertificate[];
  readonly clientCertificate: ProvisionedCertificate;
  /** `System` for device enrollments, `User` for user enrollments. */
  readonly clientStore: "System" | "User";
  /** The client certificate's subject CN, which SSLCLIENTCERTSEARCHCRITERIA names. */
  readonly clientCommonName: string;
  readonly providerId: string;
  /** The OMA-DM management server URL (w7 ADDR). */
  readonly managementAddress: string;
  /** The name the Settings app shows (w7 NAME). */
  readonly serverName: string;
  readonly appAuth: readonly AppAuth[];
  readonly connectionRetryFrequency: number;
  readonly initialBackoffTimeMs: number;
  readonly maxBackoffTimeMs: number;
  readonly poll: PollSchedule;
}

/** The thumbprint of a certificate's DER. */
export function certificateThumbprint(der: Uint8Array): string {
  return createHash("sha1").update(der).digest("hex").toUpperCase();
}

const characteristic = (type: string, ...children: (XmlNode | undefined)[]): XmlNode => xmlNode("characteristic", { type }, ...children);
const parm = (name: string, value?: string, datatype?: string): XmlNode => xmlNode("parm", { name, value, datatype });

function certificateNode(certificate: ProvisionedCertificate, privateKeyContainer: boolean): XmlNode {
  return characteristic(
    certificate.thumbprint,
    parm("EncodedCertificate", Buffer.from(certificate.der).toString("base64")),
    privateKeyContainer ? characteristic("PrivateKeyContainer") : undefined,
  );
}

/** Serializes the document (not yet base64: the enrollment response encodes it). */
export function buildProvisioningDocument(document: ProvisioningDocument): string {
  const { poll } = document;
  const searchCriteria = `Subject=${encodeURIComponent(`CN=${document.clientCommonName}`)}&Stores=${encodeURIComponent(`My\\${document.clientStore}`)}`;
  const root = xmlNode(
    "wap-provisioningdoc",
    { version: "1.1" },
    characteristic(
      "CertificateStore",
      characteristic("Root", characteristic("System", ...document.rootCertificates.map((certificate) => certificateNode(certificate, false)))),
      characteristic("My", characteristic(document.clientStore, certificateNode(document.clientCertificate, true))),
    ),
    characteristic(
      "APPLICATION",
      parm("APPID", "w7"),
      parm("PROVIDER-ID", document.providerId),
      parm("NAME", document.serverName),
      parm("ADDR", document.managementAddress),
      parm("CONNRETRYFREQ", String(document.connectionRetryFrequency)),
      parm("INITIALBACKOFFTIME", String(document.initialBackoffTimeMs)),
      parm("MAXBACKOFFTIME", String(document.maxBackoffTimeMs)),
      parm("BACKCOMPATRETRYDISABLED"),
      parm("DEFAULTENCODING", "application/vnd.syncml.dm+xml"),
      parm("SSLCLIENTCERTSEARCHCRITERIA", searchCriteria),
      ...document.appAuth.map((auth) =>
        characteristic(
          "APPAUTH",
          parm("AAUTHLEVEL", auth.level),
          parm("AAUTHTYPE", auth.type),
          parm("AAUTHNAME", auth.name),
          auth.secret === undefined ? undefined : parm("AAUTHSECRET", auth.secret),
          auth.data === undefined ? undefined : parm("AAUTHDATA", auth.data),
        ),
      ),
    ),
    characteristic(
      "DMClient",
      characteristic(
        "Provider",
        characteristic(
          document.providerId,
          characteristic(
            "Poll",
            parm("NumberOfFirstRetries", String(poll.numberOfFirstRetries), "integer"),
            parm("IntervalForFirstSetOfRetries", String(poll.intervalForFirstSetOfRetries), "integer"),
            parm("NumberOfSecondRetries", String(poll.numberOfSecondRetries), "integer"),
            parm("IntervalForSecondSetOfRetries", String(poll.intervalForSecondSetOfRetries), "integer"),
            parm("NumberOfRemainingScheduledRetries", String(poll.numberOfRemainingScheduledRetries), "integer"),
            parm("IntervalForRemainingScheduledRetries", String(poll.intervalForRemainingScheduledRetries), "integer"),
            parm("PollOnLogin", String(poll.pollOnLogin), "boolean"),
          ),
        ),
      ),
    ),
  );
  return serializeXml(root);
}

/** A characteristic read back: its type, parms by name, and nested characteristics. */
interface Characteristic {
  readonly type: string;
  readonly parms: ReadonlyMap<string, string>;
  readonly children: readonly Characteristic[];
}

function readCharacteristic(element: XmlElement): Characteristic {
  const type = attributeValue(element, "", "type");
  if (type === undefined) throw malformed("characteristic without type");
  const parms = new Map<string, string>();
  const children: Characteristic[] = [];
  for (const child of element.children) {
    if (child.localName === "parm") {
      const name = attributeValue(child, "", "name");
      if (name === undefined) throw malformed(`parm without name in ${type}`);
      parms.set(name, attributeValue(child, "", "value") ?? "");
    } else if (child.localName === "characteristic") children.push(readCharacteristic(child));
    else throw malformed(`unexpected element ${child.localName} in characteristic ${type}`);
  }
  return { type, parms, children };
}

function find(parent: Characteristic | readonly Characteristic[], type: string): Characteristic {
  const list = Array.isArray(parent) ? (parent as readonly Characteristic[]) : (parent as Characteristic).children;
  const found = list.find((candidate) => candidate.type.toLowerCase() === type.toLowerCase());
  if (found === undefined) throw malformed(`provisioning document has no ${type} characteristic`);
  return found;
}

function readCertificate(entry: Characteristic): ProvisionedCertificate {
  const encoded = entry.parms.get("EncodedCertificate");
  if (encoded === undefined) throw malformed(`certificate ${entry.type} has no EncodedCertificate`);
  const der = decodeBase64(encoded, `certificate ${entry.type}`);
  if (certificateThumbprint(der) !== entry.type.toUpperCase()) throw malformed(`certificate ${entry.type} does not match its thumbprint`);
  return { thumbprint: entry.type.toUpperCase(), der };
}

function integerParm(parent: Characteristic, name: string): number {
  const text = parent.parms.get(name);
  if (text === undefined || !/^\d+$/.test(text)) throw malformed(`${parent.type} ${name} is not an integer`);
  return Number(text);
}

/** Reads a provisioning document; MDE2_MESSAGE_FORMAT when it lacks a part a device needs or is inconsistent. */
export function parseProvisioningDocument(input: string | Uint8Array): ProvisioningDocument {
  const root = parseMde2Xml(input);
  if (root.localName !== "wap-provisioningdoc") throw malformed(`root is ${root.localName}, not wap-provisioningdoc`);
  const top = root.children.map(readCharacteristic);
  const store = find(top, "CertificateStore");
  const rootCertificates = find(find(store, "Root"), "System").children.map(readCertificate);
  const my = find(store, "My");
  const clientStoreEntry = my.children[0];
  if (clientStoreEntry === undefined || !["system", "user"].includes(clientStoreEntry.type.toLowerCase())) {
    throw malformed("CertificateStore/My names neither System nor User");
  }
  const clientEntry = clientStoreEntry.children.find((entry) => entry.parms.has("EncodedCertificate"));
  if (clientEntry === undefined) throw malformed("CertificateStore/My holds no client certificate");
  const application = top.find((entry) => entry.type === "APPLICATION" && entry.parms.get("APPID") === "w7");
  if (application === undefined) throw malformed("provisioning document has no w7 APPLICATION");
  const providerId = application.parms.get("PROVIDER-ID");
  const managementAddress = application.parms.get("ADDR");
  if (providerId === undefined || providerId === "") throw malformed("w7 APPLICATION has no PROVIDER-ID");
  if (managementAddress === undefined || !/^https:\/\//i.test(managementAddress)) throw malformed("w7 ADDR is not an https URL");
  const criteria = new URLSearchParams(application.parms.get("SSLCLIENTCERTSEARCHCRITERIA") ?? "");
  const subject = criteria.get("Subject") ?? "";
  if (!subject.startsWith("CN=")) throw malformed("SSLCLIENTCERTSEARCHCRITERIA names no subject CN");
  const provider = find(find(find(top, "DMClient"), "Provider"), providerId);
  const poll = find(provider, "Poll");
  return {
    rootCertificates,
    clientCertificate: readCertificate(clientEntry),
    clientStore: clientStoreEntry.type.toLowerCase() === "system" ? "System" : "User",
    clientCommonName: subject.slice("CN=".length),
    providerId,
    managementAddress,
    serverName: application.parms.get("NAME") ?? "",
    appAuth: application.children
      .filter((entry) => entry.type === "APPAUTH")
      .map((entry) => {
        const level = entry.parms.get("AAUTHLEVEL");
        if (level !== "CLIENT" && level !== "APPSRV") throw malformed(`APPAUTH level ${level ?? "(none)"}`);
        return {
          level,
          type: entry.parms.get("AAUTHTYPE") ?? "",
          name: entry.parms.get("AAUTHNAME") ?? "",
          secret: entry.parms.get("AAUTHSECRET"),
          data: entry.parms.get("AAUTHDATA"),
        };
      }),
    connectionRetryFrequency: integerParm(application, "CONNRETRYFREQ"),
    initialBackoffTimeMs: integerParm(application, "INITIALBACKOFFTIME"),
    maxBackoffTimeMs: integerParm(application, "MAXBACKOFFTIME"),
    poll: {
      numberOfFirstRetries: integerParm(poll, "NumberOfFirstRetries"),
      intervalForFirstSetOfRetries: integerParm(poll, "IntervalForFirstSetOfRetries"),
      numberOfSecondRetries: integerParm(poll, "NumberOfSecondRetries"),
      intervalForSecondSetOfRetries: integerParm(poll, "IntervalForSecondSetOfRetries"),
      numberOfRemainingScheduledRetries: integerParm(poll, "NumberOfRemainingScheduledRetries"),
      intervalForRemainingScheduledRetries: integerParm(poll, "IntervalForRemainingScheduledRetries"),
      pollOnLogin: poll.parms.get("PollOnLogin") === "true",
    },
  };
}
