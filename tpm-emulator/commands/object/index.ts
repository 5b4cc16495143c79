import type { CommandEntry } from "../registry.js";
import { createLoaded } from "./create-loaded.js";
import { createPrimary } from "./create-primary.js";
import { create } from "./create.js";
import { loadExternal } from "./load-external.js";
import { objectChangeAuth } from "./object-change-auth.js";
import { load } from "./load.js";
import { readPublic } from "./read-public.js";
import { unseal } from "./unseal.js";

export const ENTRIES: readonly CommandEntry[] = [create, load, loadExternal, readPublic, createPrimary, createLoaded, objectChangeAuth, unseal];
