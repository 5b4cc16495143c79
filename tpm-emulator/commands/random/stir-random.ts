import { defineCommand, NO_RESPONSE } from "../registry.js";

/** Part 3 §16.2 TPM2_StirRandom: node's CSPRNG needs no stirring; the input is accepted and dropped. */
export const stirRandom = defineCommand("StirRandom", () => NO_RESPONSE);
