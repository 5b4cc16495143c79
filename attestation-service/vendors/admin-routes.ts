import { createPublicKey, type KeyObject } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { PkiError, findVendor, type PublishedEkCertificate, type VendorCode } from "../../certs/index.js";
import { bearerTokenMatches } from "../../lib/index.js";
import { ProtocolError, ekCertificateUrl, type EkCertificateServiceStyle } from "../../protocol/index.js";
import { ekKeyParts } from "./ek-index.js";
import type { VendorFaultController } from "./fault-controller.js";
import { VendorFaultError, formatVendorFault, parseVendorFaultSpec, type VendorFault } from "./faults.js";

/** What the admin routes act on. */
export interface VendorAdminContext {
  readonly adminToken: string;
  readonly faults: VendorFaultController;
  readonly publish: (vendor: VendorCode, der: Uint8Array, options?: { ekPublicKey?: KeyObject }) => Promise<PublishedEkCertificate>;
  readonly ekServiceStyles: Readonly<Partial<Record<VendorCode, EkCertificateServiceStyle>>>;
}

/** Body of `GET|PUT|DELETE /admin/vendors/<CODE>/faults` answers (and of PUT requests: `faults` only). */
export interface VendorFaultsDocument {
  readonly vendor: VendorCode;
  readonly faults: readonly string[];
}

/** Body of a `POST /admin/vendors/<CODE>/ek-certificates` answer. */
export interface PublishedEkCertificateDocument {
  readonly vendor: VendorCode;
  /** Hex SHA-256 of the EK's SubjectPublicKeyInfo. */
  readonly name: string;
  /** The virtual URL where the vendor's EK certificate service now answers with it. */
  readonly url: string;
}

const MAX_FAULTS = 32;
const MAX_FAULT_TEXT = 100;
const MAX_CERTIFICATE_BYTES = 64 * 1024;
const MAX_SPKI_TEXT = 2048;

function vendorParam(request: FastifyRequest): VendorCode {
  const code = (request.params as { code?: string }).code ?? "";
  const vendor = findVendor(code);
  if (vendor === undefined) throw new ProtocolError("NOT_FOUND", `no vendor ${code.slice(0, 20)}`);
  return vendor.code;
}

function faultsDocument(vendor: VendorCode, faults: readonly VendorFault[]): VendorFaultsDocument {
  return { vendor, faults: faults.map(formatVendorFault) };
}

function parseFaultsBody(body: unknown): VendorFault[] {
  const texts = typeof body === "object" && body !== null ? (body as { faults?: unknown }).faults : undefined;
  if (!Array.isArray(texts) || texts.length > MAX_FAULTS || !texts.every((t) => typeof t === "string" && t.length <= MAX_FAULT_TEXT)) {
    throw new ProtocolError("MALFORMED_REQUEST", `expected {"faults": [up to ${MAX_FAULTS} fault texts]}`);
  }
  return texts.map((text: string) => {
    try {
      return parseVendorFaultSpec(text);
    } catch (error) {
      if (error instanceof VendorFaultError) throw new ProtocolError("MALFORMED_REQUEST", error.message);
      throw error;
    }
  });
}

function ekKeyQuery(request: FastifyRequest): { ekPublicKey?: KeyObject } {
  const ek = (request.query as { ek?: unknown }).ek;
  if (ek === undefined) return {};
  if (typeof ek !== "string" || ek.length > MAX_SPKI_TEXT || !/^[A-Za-z0-9_-]+$/.test(ek)) {
    throw new ProtocolError("MALFORMED_REQUEST", "ek must be a base64url SubjectPublicKeyInfo");
  }
  try {
    return { ekPublicKey: createPublicKey({ key: Buffer.from(ek, "base64url"), format: "der", type: "spki" }) };
  } catch {
    throw new ProtocolError("MALFORMED_REQUEST", "ek is not a SubjectPublicKeyInfo");
  }
}

/**
 * The vendors' admin API, every route behind `Authorization: Bearer <admin token>` (401 UNAUTHORIZED without):
 * `GET|PUT|DELETE /admin/vendors/<CODE>/faults` reads, replaces (JSON `{"faults": ["outage", "slow:200"]}`) or
 * clears a vendor's faults; `POST /admin/vendors/<CODE>/ek-certificates` publishes an EK certificate (DER body,
 * `application/pkix-cert`; `?ek=<base64url SPKI>` when it is published for another key than its own), as a
 * factory whose home is not the server's does.
 */
export function registerVendorAdminRoutes(app: FastifyInstance, context: VendorAdminContext): void {
  const authorize = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (!bearerTokenMatches(request.headers.authorization, context.adminToken)) {
      reply.header("www-authenticate", 'Bearer realm="apsim admin"');
      throw new ProtocolError("UNAUTHORIZED");
    }
  };
  const base = "/admin/vendors/:code";

  app.get(`${base}/faults`, { onRequest: authorize }, (request, reply) => {
    const vendor = vendorParam(request);
    return reply.send(faultsDocument(vendor, context.faults.faultsOf(vendor)));
  });

  app.put(`${base}/faults`, { onRequest: authorize }, (request, reply) => {
    const vendor = vendorParam(request);
    context.faults.set(vendor, parseFaultsBody(request.body));
    return reply.send(faultsDocument(vendor, context.faults.faultsOf(vendor)));
  });

  app.delete(`${base}/faults`, { onRequest: authorize }, (request, reply) => {
    const vendor = vendorParam(request);
    context.faults.clear(vendor);
    return reply.send(faultsDocument(vendor, []));
  });

  app.post(`${base}/ek-certificates`, { onRequest: authorize, bodyLimit: MAX_CERTIFICATE_BYTES }, async (request, reply) => {
    const vendor = vendorParam(request);
    const style = context.ekServiceStyles[vendor];
    if (style === undefined) throw new ProtocolError("NOT_FOUND", `${vendor} publishes no EK certificates online`);
    if (!(request.body instanceof Uint8Array)) throw new ProtocolError("UNSUPPORTED_MEDIA_TYPE", "expected application/pkix-cert");
    let entry: PublishedEkCertificate;
    try {
      entry = await context.publish(vendor, request.body, ekKeyQuery(request));
    } catch (error) {
      if (error instanceof PkiError) throw new ProtocolError("MALFORMED_REQUEST", error.message);
      throw error;
    }
    const host = findVendor(vendor)?.host ?? "";
    const document: PublishedEkCertificateDocument = { vendor, name: entry.name, url: ekCertificateUrl(style, host, ekKeyParts(entry.ekPublicKey)) };
    return reply.code(201).send(document);
  });
}
