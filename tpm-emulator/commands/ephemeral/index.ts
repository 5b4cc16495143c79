import type { CommandEntry } from "../registry.js";
import { commit } from "./commit.js";
import { ecEphemeral } from "./ec-ephemeral.js";

export const ENTRIES: readonly CommandEntry[] = [commit, ecEphemeral];
