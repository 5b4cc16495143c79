import { nvName } from "../../tpm.js";
import { defineCommand } from "../registry.js";
import { accessibleIndex } from "./nv-access.js";

/**
 * Part 3 §31.6 TPM2_NV_ReadPublic: an index's public area (TPMA_NV_WRITTEN included) and its Name, which changes
 * when the index is first written.
 * RCs: TPM_RC_VALUE (handle 1 not an NV index), TPM_RC_HANDLE (handle 1 hidden).
 */
export const nvReadPublic = defineCommand("NV_ReadPublic", (tpm, { handles }) => {
  const index = accessibleIndex(tpm, handles[0]!, 1);
  const nvPublic = { ...index.public, authPolicy: Buffer.from(index.public.authPolicy) };
  return { response: { nvPublic, nvName: nvName(index.public) } };
});
