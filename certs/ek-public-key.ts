import { createPublicKey, type KeyObject } from "node:crypto";
import { TPM2B_PUBLIC, TPMT_PUBLIC, publicKeyOf, unmarshal, type Schema } from "../tpm2/index.js";
import { PkiError } from "./errors.js";

const PEM_START = "-----BEGIN ";
const DER_SEQUENCE = 0x30;

function fromTpmPublic(schema: Schema<TPMT_PUBLIC>, bytes: Uint8Array): KeyObject | undefined {
  try {
    return publicKeyOf(unmarshal(schema, bytes));
  } catch {
    return undefined;
  }
}

/**
 * Reads an endorsement key's public key from the forms tools write it in: PEM (`-----BEGIN PUBLIC KEY-----`),
 * a marshalled TPM2B_PUBLIC (what `tpm2_createek -u` and `tpm2_readpublic -o` write by default, format
 * `tss`: a 2-byte size, then TPMT_PUBLIC), a bare TPMT_PUBLIC (their `-f tpmt`), or DER SubjectPublicKeyInfo.
 * @throws PkiError EK_PUBLIC_UNREADABLE when the bytes are none of these or hold no RSA/ECC key.
 */
export function readEkPublicKey(bytes: Uint8Array): KeyObject {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  try {
    if (buffer.subarray(0, PEM_START.length).toString("latin1") === PEM_START) return createPublicKey(buffer.toString("utf8"));
  } catch (error) {
    throw new PkiError("EK_PUBLIC_UNREADABLE", "the PEM holds no public key", { cause: error });
  }
  if (buffer.length >= 2 && buffer.readUInt16BE(0) === buffer.length - 2) {
    const key = fromTpmPublic(TPM2B_PUBLIC, buffer);
    if (key !== undefined) return key;
  }
  const key = fromTpmPublic(TPMT_PUBLIC, buffer);
  if (key !== undefined) return key;
  if (buffer[0] === DER_SEQUENCE) {
    try {
      return createPublicKey({ key: buffer, format: "der", type: "spki" });
    } catch (error) {
      throw new PkiError("EK_PUBLIC_UNREADABLE", "not a DER SubjectPublicKeyInfo", { cause: error });
    }
  }
  throw new PkiError("EK_PUBLIC_UNREADABLE", "not a PEM or DER public key, TPM2B_PUBLIC or TPMT_PUBLIC");
}
