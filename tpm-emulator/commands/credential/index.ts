import type { CommandEntry } from "../registry.js";
import { activateCredential } from "./activate-credential.js";
import { makeCredential } from "./make-credential.js";

export const ENTRIES: readonly CommandEntry[] = [activateCredential, makeCredential];
