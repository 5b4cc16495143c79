/**
 * The TPM structures of a join request, unmarshalled with tpm2/'s codec: a malformed one is
 * MALFORMED_TPM_STRUCTURE naming the field, a 400.
 */
import { ProtocolError } from "../../protocol/index.js";
import { TPM2B_ATTEST, TPM2B_PUBLIC, TPMT_SIGNATURE, hashDigest, isHashAlg, publicKeyOf, unmarshal, type TPMT_PUBLIC } from "../../tpm2/index.js";

/** A public area as received, with its Name. */
export interface PresentedPublic {
  readonly publicArea: TPMT_PUBLIC;
  /** nameAlg ‖ H_nameAlg(TPMT_PUBLIC bytes) (Part 1 §16). */
  readonly name: Buffer;
}

function decode<T>(field: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new ProtocolError("MALFORMED_TPM_STRUCTURE", `${field}: ${(error as Error).message}`, { cause: error });
  }
}

/** A TPM2B_PUBLIC of a valid RSA or ECC key (an ECC point off its curve is refused here). */
export function decodePublic(field: string, bytes: Uint8Array): PresentedPublic {
  const publicArea = decode(field, () => unmarshal(TPM2B_PUBLIC, bytes));
  if (!isHashAlg(publicArea.nameAlg)) throw new ProtocolError("MALFORMED_TPM_STRUCTURE", `${field}: nameAlg is not a hash algorithm`);
  decode(field, () => publicKeyOf(publicArea));
  const alg = Buffer.alloc(2);
  alg.writeUInt16BE(publicArea.nameAlg);
  return { publicArea, name: Buffer.concat([alg, hashDigest(publicArea.nameAlg, bytes.subarray(2))]) };
}

/** The TPMS_ATTEST bytes inside a TPM2B_ATTEST. */
export function decodeAttestBytes(field: string, bytes: Uint8Array): Uint8Array {
  return decode(field, () => unmarshal(TPM2B_ATTEST, bytes));
}

/** A TPMT_SIGNATURE. */
export function decodeSignature(field: string, bytes: Uint8Array): TPMT_SIGNATURE {
  return decode(field, () => unmarshal(TPMT_SIGNATURE, bytes));
}
