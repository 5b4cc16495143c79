/** Stable codes of {@link PkiError}. */
export type PkiErrorCode =
  | "UNKNOWN_VENDOR"
  | "PKI_INCOMPLETE"
  | "EK_REQUEST_INVALID"
  | "EK_CERT_MALFORMED"
  | "BAD_SERIAL"
  | "CERT_MALFORMED"
  | "UNSUPPORTED_ALGORITHM"
  | "AIK_REQUEST_INVALID"
  | "AIK_CERT_MALFORMED"
  | "EK_PUBLIC_UNREADABLE"
  | "CRL_REQUEST_INVALID"
  | "CA_REQUEST_INVALID"
  | "CSR_MALFORMED"
  | "CSR_SIGNATURE_INVALID";

/** An error from the PKI layer; match on `code`, never on the message. */
export class PkiError extends Error {
  readonly code: PkiErrorCode;

  constructor(code: PkiErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "PkiError";
    this.code = code;
  }
}
