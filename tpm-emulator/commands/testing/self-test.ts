import { NO_RESPONSE, defineCommand } from "../registry.js";

/**
 * Part 3 §10.2 TPM2_SelfTest: node:crypto's algorithms are ready from the start and never fail a self-test, so
 * both a full and a partial test complete at once. No failure RCs beyond unmarshalling (TPM_RC_VALUE for fullTest).
 */
export const selfTest = defineCommand("SelfTest", () => NO_RESPONSE);
