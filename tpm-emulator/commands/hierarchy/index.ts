import type { CommandEntry } from "../registry.js";
import { changeEps } from "./change-eps.js";
import { changePps } from "./change-pps.js";
import { clear } from "./clear.js";
import { clearControl } from "./clear-control.js";
import { dictionaryAttackLockReset } from "./dictionary-attack-lock-reset.js";
import { dictionaryAttackParameters } from "./dictionary-attack-parameters.js";
import { hierarchyChangeAuth } from "./hierarchy-change-auth.js";
import { hierarchyControl } from "./hierarchy-control.js";
import { setPrimaryPolicy } from "./set-primary-policy.js";

export const ENTRIES: readonly CommandEntry[] = [
  hierarchyControl,
  setPrimaryPolicy,
  changePps,
  changeEps,
  clear,
  clearControl,
  hierarchyChangeAuth,
  dictionaryAttackLockReset,
  dictionaryAttackParameters,
];
