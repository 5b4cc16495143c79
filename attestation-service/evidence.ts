/**
 * Unmarshals the TPM structures a device sends (their marshalled bytes, Part 2) with tpm2/'s codec. Any truncated,
 * oversized or malformed structure becomes MALFORMED_TPM_STRUCTURE naming the field: a 400, never a 500.
 */
import { ProtocolError } from "../protocol/index.js";
import {
  TPM2B_ATTEST,
  TPM2B_CREATION_DATA,
  TPM2B_PUBLIC,
  TPMS_ATTEST,
  TPMT_SIGNATURE,
  TPML_PCR_SELECTION,
  hashDigest,
  isHashAlg,
  unmarshal,
  type TPML_PCR_SELECTION as PcrSelection,
  type TPMS_ATTEST as Attest,
  type TPMT_PUBLIC,
  type TPMT_SIGNATURE as Signature,
} from "../tpm2/index.js";

/** A public area as received: parsed, its exact TPMT_PUBLIC bytes, and its Name. */
export interface ReceivedPublic {
  readonly publicArea: TPMT_PUBLIC;
  /** The TPMT_PUBLIC bytes (the TPM2B_PUBLIC without its size). */
  readonly publicBytes: Buffer;
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

/** The Name of an object from its exact TPMT_PUBLIC bytes; undefined when its nameAlg is not a hash. */
export function objectNameOf(nameAlg: number, publicBytes: Uint8Array): Buffer | undefined {
  if (!isHashAlg(nameAlg)) return undefined;
  const alg = Buffer.alloc(2);
  alg.writeUInt16BE(nameAlg);
  return Buffer.concat([alg, hashDigest(nameAlg, publicBytes)]);
}

/** Reads a TPM2B_PUBLIC of an RSA or ECC key. */
export function decodePublic(field: string, bytes: Uint8Array): ReceivedPublic {
  const publicArea = decode(field, () => unmarshal(TPM2B_PUBLIC, bytes));
  const publicBytes = Buffer.from(bytes.subarray(2));
  const name = objectNameOf(publicArea.nameAlg, publicBytes);
  if (name === undefined) throw new ProtocolError("MALFORMED_TPM_STRUCTURE", `${field}: nameAlg is not a hash algorithm`);
  return { publicArea, publicBytes, name };
}

/** Reads a TPM2B_CREATION_DATA and returns the TPMS_CREATION_DATA bytes (what creationHash covers). */
export function decodeCreationData(field: string, bytes: Uint8Array): Buffer {
  decode(field, () => unmarshal(TPM2B_CREATION_DATA, bytes));
  return Buffer.from(bytes.subarray(2));
}

/** Reads a TPM2B_ATTEST: the TPMS_ATTEST bytes exactly as signed, and their parse. */
export function decodeAttest(field: string, bytes: Uint8Array): { readonly bytes: Buffer; readonly attest: Attest } {
  const inner = Buffer.from(decode(field, () => unmarshal(TPM2B_ATTEST, bytes)));
  return { bytes: inner, attest: decode(field, () => unmarshal(TPMS_ATTEST, inner)) };
}

/** Reads a TPMT_SIGNATURE. */
export function decodeSignature(field: string, bytes: Uint8Array): Signature {
  return decode(field, () => unmarshal(TPMT_SIGNATURE, bytes));
}

/** Reads a TPML_PCR_SELECTION (kept by the service itself; a failure is still reported, never thrown raw). */
export function decodePcrSelection(field: string, bytes: Uint8Array): PcrSelection {
  return decode(field, () => unmarshal(TPML_PCR_SELECTION, bytes));
}
