import type { CommandEntry } from "../registry.js";
import { eventSequenceComplete } from "./event-sequence-complete.js";
import { hashSequenceStart } from "./hash-sequence-start.js";
import { hmacStart } from "./hmac-start.js";
import { sequenceComplete } from "./sequence-complete.js";
import { sequenceUpdate } from "./sequence-update.js";

export const ENTRIES: readonly CommandEntry[] = [
  hashSequenceStart,
  hmacStart,
  sequenceUpdate,
  sequenceComplete,
  eventSequenceComplete,
];
