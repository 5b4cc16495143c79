import { defineCommand } from "../registry.js";

/**
 * Part 3 §10.3 TPM2_IncrementalSelfTest: every algorithm is ready from the start (node:crypto), so whatever toTest
 * names is already tested and toDoList is empty. No failure RCs beyond unmarshalling (TPM_RC_SIZE for toTest).
 */
export const incrementalSelfTest = defineCommand("IncrementalSelfTest", () => ({ response: { toDoList: [] } }));
