import { defineCommand } from "../registry.js";
import { clockInfo } from "./clock-info.js";

/** Part 3 §29.1 TPM2_ReadClock: Time (ms since the last TPM Reset) and the clock information. No failure RCs. */
export const readClock = defineCommand("ReadClock", (tpm) => ({
  response: { currentTime: { time: tpm.time(), clockInfo: clockInfo(tpm) } },
}));
