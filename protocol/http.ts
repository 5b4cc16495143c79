import type { FastifyError, FastifyInstance, FastifyReply } from "fastify";
import { CborDecodeError, decodeCbor, encodeCbor } from "../lib/index.js";
import { ProtocolError, errorBody, type ErrorCode } from "./errors.js";

/** Decodes a raw `application/cbor` body; malformed or missing bodies become MALFORMED_CBOR. */
export function decodeCborBody(body: unknown): unknown {
  if (!(body instanceof Uint8Array)) throw new ProtocolError("UNSUPPORTED_MEDIA_TYPE", "expected application/cbor");
  try {
    return decodeCbor(body);
  } catch (error) {
    if (error instanceof CborDecodeError) throw new ProtocolError("MALFORMED_CBOR", error.message, { cause: error });
    throw error;
  }
}

/** Answers with a CBOR body. */
export function sendCbor(reply: FastifyReply, value: unknown, status = 200): FastifyReply {
  return reply.code(status).type("application/cbor").send(Buffer.from(encodeCbor(value)));
}

/** Fastify's own errors (body limit, content type, timeouts) under our codes. */
function fromFastifyError(error: FastifyError): ProtocolError {
  const byCode: Record<string, ErrorCode> = {
    FST_ERR_CTP_BODY_TOO_LARGE: "BODY_TOO_LARGE",
    FST_ERR_CTP_INVALID_MEDIA_TYPE: "UNSUPPORTED_MEDIA_TYPE",
    FST_ERR_CTP_EMPTY_JSON_BODY: "MALFORMED_REQUEST",
    FST_ERR_CTP_INVALID_CONTENT_LENGTH: "MALFORMED_REQUEST",
    FST_ERR_CTP_EMPTY_TYPE: "UNSUPPORTED_MEDIA_TYPE",
    FST_ERR_CTP_INVALID_TYPE: "UNSUPPORTED_MEDIA_TYPE",
  };
  const code = byCode[error.code] ?? (error.statusCode === 400 ? "MALFORMED_REQUEST" : error.statusCode === 404 ? "NOT_FOUND" : "INTERNAL");
  return new ProtocolError(code, error.message);
}

/**
 * Renders every error of `app` as a registry error body with its HTTP status: CBOR when the client
 * sent or accepts CBOR, JSON otherwise. Unknown exceptions become INTERNAL (500) without internals.
 */
export function installProtocolErrorHandler(app: FastifyInstance, onInternal?: (error: unknown) => void): void {
  const render = (reply: FastifyReply, accept: string | undefined, contentType: string | undefined, error: ProtocolError) => {
    const body = errorBody(error);
    const status = error.status === 0 ? 500 : error.status;
    const wantsCbor = accept?.includes("application/cbor") ?? false;
    const wantsJson = accept?.includes("application/json") ?? false;
    if (wantsCbor || (!wantsJson && (contentType ?? "").startsWith("application/cbor"))) {
      return sendCbor(reply, body, status);
    }
    return reply.code(status).type("application/json").send(body);
  };
  app.setErrorHandler((error, request, reply) => {
    let known: ProtocolError;
    if (error instanceof ProtocolError) known = error;
    else if (typeof (error as FastifyError).code === "string" && (error as FastifyError).code.startsWith("FST_")) {
      known = fromFastifyError(error as FastifyError);
    } else {
      onInternal?.(error);
      known = new ProtocolError("INTERNAL");
    }
    return render(reply, request.headers.accept, request.headers["content-type"], known);
  });
  app.setNotFoundHandler((request, reply) =>
    render(reply, request.headers.accept, request.headers["content-type"], new ProtocolError("NOT_FOUND", request.url.slice(0, 200))),
  );
}
