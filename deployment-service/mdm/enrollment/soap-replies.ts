/**
 * Answers of the enrollment endpoints: SOAP 1.2 bodies as `application/soap+xml; charset=utf-8`, and every error
 * as the MS-MDE2 fault of its registry code (MS-MDE2 §2.2.10), with the request's MessageID when it was read.
 */
import { randomUUID } from "node:crypto";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { ProtocolError, SOAP_MEDIA_TYPE, buildFault, faultOf, isMde2FaultCode, type Mde2Fault, type Mde2FaultCode } from "../../../protocol/index.js";

/** What the error handler needs to know about a request it failed. */
const requestContext = new WeakMap<FastifyRequest, { messageId?: string; responseAction: string }>();

/** Notes the response action of the endpoint `request` reached (the fault's action). */
export function noteResponseAction(request: FastifyRequest, responseAction: string): void {
  requestContext.set(request, { ...requestContext.get(request), responseAction });
}

/** Notes the request's MessageID once parsed (the fault's RelatesTo). */
export function noteMessageId(request: FastifyRequest, messageId: string): void {
  const context = requestContext.get(request);
  if (context !== undefined) context.messageId = messageId;
}

/**
 * The raw body of a SOAP request. Other media types are refused (415) even when the app has a parser for them
 * (fastify parses text/plain by default).
 */
export function soapBody(request: FastifyRequest): Uint8Array {
  const mediaType = (request.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
  if (mediaType !== "application/soap+xml" || !(request.body instanceof Uint8Array)) {
    throw new ProtocolError("UNSUPPORTED_MEDIA_TYPE", "expected application/soap+xml");
  }
  return request.body;
}

/** Answers a SOAP envelope. */
export function sendSoap(reply: FastifyReply, envelope: string, status = 200): FastifyReply {
  return reply.code(status).type(SOAP_MEDIA_TYPE).send(envelope);
}

/** The fault of any error: MS-MDE2 registry codes as they are, other registry codes by their status. */
function faultOfError(error: unknown, relatesTo: string | undefined): { fault: Mde2Fault; status: number; internal: boolean } {
  if (error instanceof ProtocolError) {
    if (isMde2FaultCode(error.code)) return { fault: faultOf(error.code, error.message, relatesTo), status: error.status, internal: false };
    const code: Mde2FaultCode = error.status >= 500 || error.status === 0 ? "MDE2_INTERNAL_SERVICE_FAULT" : "MDE2_MESSAGE_FORMAT";
    return { fault: faultOf(code, error.message, relatesTo), status: error.status === 0 ? 500 : error.status, internal: false };
  }
  const fastify = error as FastifyError;
  if (typeof fastify.code === "string" && fastify.code.startsWith("FST_")) {
    const status = fastify.statusCode ?? 500;
    const code: Mde2FaultCode = status < 500 ? "MDE2_MESSAGE_FORMAT" : "MDE2_INTERNAL_SERVICE_FAULT";
    return { fault: faultOf(code, status < 500 ? fastify.message : undefined, relatesTo), status, internal: false };
  }
  return { fault: faultOf("MDE2_INTERNAL_SERVICE_FAULT", undefined, relatesTo), status: 500, internal: true };
}

/** Renders every error of the routes in `scope` as an MS-MDE2 SOAP fault. */
export function installFaultHandler(scope: FastifyInstance, fallbackAction: string): void {
  scope.setErrorHandler((raw, request, reply) => {
    const context = requestContext.get(request);
    const { fault, status, internal } = faultOfError(raw, context?.messageId);
    const traceId = randomUUID();
    if (internal) request.log.error({ err: raw, traceId }, "enrollment endpoint failed");
    else request.log.info({ code: fault.code, traceId }, "enrollment request refused");
    return sendSoap(reply, buildFault(fault, context?.responseAction ?? fallbackAction, traceId), status);
  });
}
