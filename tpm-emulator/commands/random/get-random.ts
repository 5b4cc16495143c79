import { digestSize, TPM_ALG } from "../../../tpm2/index.js";
import { defineCommand } from "../registry.js";

/** Part 3 §16.1 TPM2_GetRandom: at most the size of the largest digest (Part 3 §16.1.1). */
export const getRandom = defineCommand("GetRandom", (tpm, { params }) => {
  const n = Math.min(params.bytesRequested, digestSize(TPM_ALG.SHA512));
  return { response: { randomBytes: tpm.random(n) } };
});
