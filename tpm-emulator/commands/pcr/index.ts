import type { CommandEntry } from "../registry.js";
import { pcrAllocate } from "./pcr-allocate.js";
import { pcrEvent } from "./pcr-event.js";
import { pcrExtend } from "./pcr-extend.js";
import { pcrRead } from "./pcr-read.js";
import { pcrReset } from "./pcr-reset.js";

export const ENTRIES: readonly CommandEntry[] = [pcrExtend, pcrEvent, pcrRead, pcrReset, pcrAllocate];
