/** Part 3 commands: NV indices beyond ordinary read/write, and the NV-based policies (Part 3 §23, §31). */
import { command } from "./command-def.js";
import * as S from "./structures.js";

export const NV_COMMANDS = {} as const;

void command;
void S;
