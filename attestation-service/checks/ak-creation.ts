import { ProtocolError } from "../../protocol/index.js";
import {
  AttestVerificationError,
  TPM_ST,
  hashDigest,
  verifyAttestSignature,
  type TPMS_ATTEST,
  type TPMS_CREATION_INFO,
  type TPMT_SIGNATURE,
} from "../../tpm2/index.js";
import type { ReceivedPublic } from "../evidence.js";

/** The AK's key attestation statement: what TPM2_CertifyCreation of the AK by itself returned. */
export interface AkCreationEvidence {
  readonly ak: ReceivedPublic;
  /** TPMS_CREATION_DATA bytes returned when the AK was created. */
  readonly creationData: Uint8Array;
  /** TPMS_ATTEST bytes exactly as signed, and their parse. */
  readonly attestBytes: Uint8Array;
  readonly attest: TPMS_ATTEST;
  readonly signature: TPMT_SIGNATURE;
}

function fail(detail: string): never {
  throw new ProtocolError("AK_CREATION_INVALID", detail);
}

/**
 * The AK's creation evidence binds it to the TPM (go-attestation CheckAKParameters; Part 3 §18.6 CertifyCreation):
 * a TPMS_ATTEST of type TPM_ST_ATTEST_CREATION whose objectName is the AK's Name and whose creationHash is
 * H_nameAlg(creationData), signed by the AK itself (a restricted signing key signs only TPM-made structures).
 * @throws ProtocolError AK_CREATION_INVALID
 */
export function checkAkCreation(evidence: AkCreationEvidence): void {
  const { ak, attest } = evidence;
  if (attest.type !== TPM_ST.ATTEST_CREATION) fail(`attestation type 0x${attest.type.toString(16)} is not TPM_ST_ATTEST_CREATION`);
  const info = attest.attested as TPMS_CREATION_INFO;
  if (!Buffer.from(info.objectName).equals(ak.name)) fail("objectName is not the AK's Name");
  const creationHash = hashDigest(ak.publicArea.nameAlg, evidence.creationData);
  if (!creationHash.equals(Buffer.from(info.creationHash))) fail("creationHash does not match the creation data");
  try {
    verifyAttestSignature({ signerPublic: ak.publicArea, attest: evidence.attestBytes, signature: evidence.signature });
  } catch (error) {
    if (error instanceof AttestVerificationError) fail(`signature: ${error.message}`);
    throw error;
  }
}
