import type { CommandEntry } from "../registry.js";
import { encryptDecrypt2 } from "./encrypt-decrypt2.js";
import { encryptDecrypt } from "./encrypt-decrypt.js";
import { hmac } from "./hmac.js";

export const ENTRIES: readonly CommandEntry[] = [encryptDecrypt, encryptDecrypt2, hmac];
