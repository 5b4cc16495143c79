/** Part 3 commands: hierarchy, dictionary-attack, clock, audit and the remaining policy commands (Part 3 §21, §23–§29). */
import { command } from "./command-def.js";
import * as S from "./structures.js";

export const ADMIN_COMMANDS = {} as const;

void command;
void S;
