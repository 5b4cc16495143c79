/** Part 3 commands: key and data operations: asymmetric and symmetric primitives, HMAC and hash sequences, duplication, object auth (Part 3 §12–§17, §19). */
import { command } from "./command-def.js";
import * as S from "./structures.js";

export const CRYPTO_COMMANDS = {} as const;

void command;
void S;
