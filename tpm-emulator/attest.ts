/**
 * The common part of the attestation commands (Part 3 §18.1): fill in a TPMS_ATTEST for a signer
 * (FillInAttestInfo) and sign its marshalled bytes (SignAttestInfo).
 */
import {
  TPMS_ATTEST,
  TPM_ALG,
  TPM_GENERATED_VALUE,
  TPM_RH,
  hashDigest,
  isClockInfoObfuscated,
  marshal,
  obfuscateClockInfo,
  type TPMS_ATTEST as Attest,
  type TPMT_SIG_SCHEME,
  type TPMT_SIGNATURE,
} from "../tpm2/index.js";
import type { CommitLedger } from "./ecc-commit.js";
import { schemeHashAlg, signDigest } from "./keys.js";
import { handleName, type TpmObject } from "./objects.js";
import type { Tpm } from "./tpm.js";

/** What a command adds to the common fields: the attestation type and its TPMU_ATTEST arm. */
export type AttestBody = Pick<Attest, "type" | "attested">;

/**
 * FillInAttestInfo, Part 3 §18.1: magic, the signer's qualified Name (the 4-octet TPM_RH_NULL for no signer),
 * the qualifying data as extraData, the clock and the firmware version. When the signer is not in the endorsement
 * or platform hierarchy (or there is none), resetCount, restartCount and firmwareVersion are obfuscated with the
 * owner proof so owner keys cannot be correlated through them.
 */
export function fillAttestInfo(tpm: Tpm, signer: TpmObject | undefined, qualifyingData: Uint8Array, body: AttestBody): Attest {
  const state = tpm.state;
  const qualifiedSigner = signer ? signer.qualifiedName : handleName(TPM_RH.NULL);
  let counters = {
    resetCount: state.resetCount,
    restartCount: state.restartCount,
    firmwareVersion: (BigInt(state.identity.firmwareVersion1 >>> 0) << 32n) | BigInt(state.identity.firmwareVersion2 >>> 0),
  };
  if (isClockInfoObfuscated(signer?.hierarchy ?? TPM_RH.NULL)) {
    const nameAlg = signer && signer.publicArea.nameAlg !== TPM_ALG.NULL ? signer.publicArea.nameAlg : TPM_ALG.SHA256;
    counters = obfuscateClockInfo(nameAlg, state.owner.proof, qualifiedSigner, counters);
  }
  return {
    magic: TPM_GENERATED_VALUE,
    type: body.type,
    qualifiedSigner,
    extraData: Buffer.from(qualifyingData),
    clockInfo: { clock: tpm.clock(), resetCount: counters.resetCount, restartCount: counters.restartCount, safe: true },
    firmwareVersion: counters.firmwareVersion,
    attested: body.attested,
  };
}

/** A signed attestation: the TPM2B_ATTEST contents and the signature over them. */
export interface SignedAttest {
  attestBytes: Buffer;
  signature: TPMT_SIGNATURE;
}

/**
 * SignAttestInfo, Part 3 §18.1: marshal the TPMS_ATTEST and sign the digest of those bytes with the scheme's hash
 * (the qualifying data is already inside, as extraData). No signer gives the NULL signature.
 * @param commits the TPM's commit state, for an ECDAA signer.
 * @throws TpmError from {@link signDigest} (TPM_RC_SCHEME, TPM_RC_VALUE), without a parameter number.
 */
export function signAttestInfo(signer: TpmObject | undefined, scheme: TPMT_SIG_SCHEME, attest: Attest, commits?: CommitLedger): SignedAttest {
  const attestBytes = marshal(TPMS_ATTEST, attest);
  if (!signer || scheme.scheme === TPM_ALG.NULL) return { attestBytes, signature: { sigAlg: TPM_ALG.NULL, signature: undefined } };
  const digest = hashDigest(schemeHashAlg(scheme), attestBytes);
  return { attestBytes, signature: signDigest(signer, scheme, digest, commits) };
}

/** Both steps: the attestation of `body` by `signer` (or by nobody, for TPM_RH_NULL). */
export function produceAttestation(
  tpm: Tpm,
  signer: TpmObject | undefined,
  scheme: TPMT_SIG_SCHEME,
  qualifyingData: Uint8Array,
  body: AttestBody,
): SignedAttest {
  return signAttestInfo(signer, scheme, fillAttestInfo(tpm, signer, qualifyingData, body), tpm.commits);
}
