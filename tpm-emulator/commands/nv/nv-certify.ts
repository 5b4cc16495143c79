import { TPM_ALG, TPM_LIMITS, TPM_RC, TPM_ST, TpmError, hashDigest } from "../../../tpm2/index.js";
import { produceAttestation, type AttestBody } from "../../attest.js";
import { isSigningObject, schemeHashAlg, selectSignScheme, signerAt } from "../../keys.js";
import { nvName } from "../../tpm.js";
import { defineCommand, handleError, paramError } from "../registry.js";
import { checkReadAccess, checkReadAuthKind } from "./nv-access.js";
import { nvTarget } from "./nv-target.js";

/**
 * Part 3 §31.16 TPM2_NV_Certify: signHandle attests to `size` octets at `offset` of an index (TPMS_NV_CERTIFY_INFO)
 * or, when size and offset are both 0, to the digest of all its data with the signing scheme's hash
 * (TPMS_NV_DIGEST_CERTIFY_INFO). A TPM_RH_NULL signer gives an unsigned attestation.
 * RCs: TPM_RC_VALUE (handle 1 not an object; handle 2 not owner, platform or an index; handle 3 not an index;
 * parameter 3: size above the NV buffer), TPM_RC_HANDLE (handle 3 hidden), TPM_RC_AUTH_UNAVAILABLE,
 * TPM_RC_POLICY_FAIL (PolicyNvWritten), TPM_RC_KEY (handle 1: not a signing key), TPM_RC_SCHEME (parameter 2),
 * TPM_RC_NV_LOCKED, TPM_RC_NV_AUTHORIZATION, TPM_RC_NV_UNINITIALIZED, TPM_RC_NV_RANGE.
 */
export const nvCertify = defineCommand("NV_Certify", (tpm, { handles, params, ctx }) => {
  const signer = signerAt(tpm, handles[0]!, 1);
  const { authHandle, index } = nvTarget(tpm, handles, ctx, 2);
  const policy = ctx.authSessions[1];
  checkReadAuthKind(authHandle, index, policy);
  if (!isSigningObject(signer)) throw handleError(TPM_RC.KEY, 1);
  const scheme = selectSignScheme(signer, params.inScheme, 2);
  checkReadAccess(authHandle, index, policy);
  const { size, offset } = params;
  if (size + offset > index.public.dataSize) throw new TpmError(TPM_RC.NV_RANGE);
  if (size > TPM_LIMITS.MAX_NV_BUFFER) throw paramError(TPM_RC.VALUE, 3);

  const indexName = nvName(index.public);
  let body: AttestBody;
  if (size !== 0 || offset !== 0) {
    body = {
      type: TPM_ST.ATTEST_NV,
      attested: { indexName, offset, nvContents: Buffer.from(index.data.subarray(offset, offset + size)) },
    };
  } else {
    // Part 3 §31.16.1: the digest uses the scheme's hash; the NULL scheme (no signer) has none, so the digest is empty
    const hashAlg = schemeHashAlg(scheme);
    const nvDigest = hashAlg === TPM_ALG.NULL ? Buffer.alloc(0) : hashDigest(hashAlg, index.data);
    body = { type: TPM_ST.ATTEST_NV_DIGEST, attested: { indexName, nvDigest } };
  }
  const { attestBytes, signature } = produceAttestation(tpm, signer, scheme, params.qualifyingData, body);
  return { response: { certifyInfo: attestBytes, signature } };
});
