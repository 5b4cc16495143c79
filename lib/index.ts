export {
  fsyncDirectory,
  readFileIfExists,
  writeFileAtomic,
  writeFileAtomicSync,
  type WriteFileAtomicOptions,
} from "./atomic-file.js";
export { CborDecodeError, decodeCbor, encodeCbor } from "./cbor.js";
export {
  PRIVATE_DIR_MODE,
  SECRET_FILE_MODE,
  ensurePrivateDir,
  ensurePrivateDirSync,
  resolveHome,
  writeSecretFile,
  writeSecretFileSync,
} from "./home.js";
export { createLogger, type Logger } from "./logger.js";
export { createHttpsAgent, errorCauseCode, readBodyWithin, type HttpsAgentOptions } from "./http-client.js";
export { createHttpsApp, listenLoopback, type HttpsAppOptions, type HttpsServerTls, type ListeningAddress } from "./http-server.js";
export { ManualClock, systemClock, type Clock } from "./clock.js";
export { AdminTokenError, adminTokenFile, bearerTokenMatches, loadOrCreateAdminToken, readAdminToken } from "./admin-token.js";
export { seededRandom } from "./seeded-random.js";
export {
  isUniqueViolation,
  openDatabase,
  parseDatabaseLocation,
  type DatabaseKind,
  type DatabaseLocation,
  type DatabaseSchemaOptions,
  type OpenDatabase,
} from "./database.js";
export {
  XML_NAMESPACE,
  XmlError,
  attributeValue,
  childElement,
  childElements,
  escapeXmlAttribute,
  escapeXmlText,
  parseXml,
  serializeXml,
  xmlNode,
  type XmlAttribute,
  type XmlElement,
  type XmlErrorCode,
  type XmlLimits,
  type XmlNode,
} from "./xml.js";
export { decodeJws, signEs256, verifyEs256, type DecodedJws } from "./compact-jws.js";
export { loadOrCreateSigningKey } from "./signing-key-file.js";
