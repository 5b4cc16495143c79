/**
 * The device key is bound to the TPM that holds the AK (Part 3 §18.2 TPM2_Certify): a TPMS_ATTEST of type
 * TPM_ST_ATTEST_CERTIFY, made by the TPM (magic TPM_GENERATED_VALUE), signed by the AK — a restricted signing key
 * signs only structures the TPM made — naming the presented device key, over the qualifying data the join expects;
 * and the key's attributes say the TPM generated it and it can never leave: fixedTPM, fixedParent,
 * sensitiveDataOrigin (Part 2 §8.3).
 */
import { ProtocolError } from "../../protocol/index.js";
import {
  AttestVerificationError,
  TPMA_OBJECT,
  TPM_ST,
  parseAttest,
  verifyAttestSignature,
  type TPMS_ATTEST,
  type TPMS_CERTIFY_INFO,
  type TPMT_PUBLIC,
  type TPMT_SIGNATURE,
} from "../../tpm2/index.js";
import type { PresentedPublic } from "./tpm-evidence.js";

/** fixedTPM | fixedParent | sensitiveDataOrigin | sign. */
export const DEVICE_KEY_REQUIRED_ATTRIBUTES = TPMA_OBJECT.fixedTPM | TPMA_OBJECT.fixedParent | TPMA_OBJECT.sensitiveDataOrigin | TPMA_OBJECT.sign;

/** What a device presents to prove its device key. */
export interface DeviceKeyCertification {
  readonly akPublic: TPMT_PUBLIC;
  readonly deviceKey: PresentedPublic;
  /** The TPMS_ATTEST bytes exactly as signed. */
  readonly attest: Uint8Array;
  readonly signature: TPMT_SIGNATURE;
  /** The qualifying data the certification must carry (extraData). */
  readonly qualifyingData: Uint8Array;
}

function fail(detail: string): never {
  throw new ProtocolError("JOIN_DEVICE_KEY_NOT_CERTIFIED", detail);
}

/** @throws ProtocolError JOIN_DEVICE_KEY_NOT_CERTIFIED */
export function checkDeviceKeyCertification(evidence: DeviceKeyCertification): void {
  const attributes = evidence.deviceKey.publicArea.objectAttributes;
  if ((attributes & DEVICE_KEY_REQUIRED_ATTRIBUTES) !== DEVICE_KEY_REQUIRED_ATTRIBUTES) {
    fail(`device key attributes 0x${attributes.toString(16).padStart(8, "0")} lack fixedTPM, fixedParent, sensitiveDataOrigin or sign`);
  }
  let attest: TPMS_ATTEST;
  try {
    attest = parseAttest(evidence.attest);
  } catch (error) {
    fail(`the certification is not a TPM-made TPMS_ATTEST: ${(error as Error).message}`);
  }
  if (attest.type !== TPM_ST.ATTEST_CERTIFY) fail(`attestation type 0x${attest.type.toString(16)} is not TPM_ST_ATTEST_CERTIFY`);
  if (!Buffer.from(attest.extraData).equals(Buffer.from(evidence.qualifyingData))) fail("the certification is not over this join's qualifying data");
  const info = attest.attested as TPMS_CERTIFY_INFO;
  if (!Buffer.from(info.name).equals(evidence.deviceKey.name)) fail("the certification names another key than the device key");
  try {
    verifyAttestSignature({ signerPublic: evidence.akPublic, attest: evidence.attest, signature: evidence.signature });
  } catch (error) {
    if (error instanceof AttestVerificationError) fail(`not signed by the AK: ${error.message}`);
    throw error;
  }
}
