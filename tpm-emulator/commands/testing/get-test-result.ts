import { TPM_RC } from "../../../tpm2/index.js";
import { defineCommand } from "../registry.js";

/**
 * Part 3 §10.4 TPM2_GetTestResult: the self-test has passed (testResult TPM_RC_SUCCESS) and there is no
 * vendor-specific diagnostic data (outData empty). No failure RCs.
 */
export const getTestResult = defineCommand("GetTestResult", () => ({
  response: { outData: Buffer.alloc(0), testResult: TPM_RC.SUCCESS },
}));
