import type { CommandEntry } from "../registry.js";
import { nvDefineSpace } from "./nv-define-space.js";
import { nvRead } from "./nv-read.js";
import { nvReadPublic } from "./nv-read-public.js";
import { nvUndefineSpace } from "./nv-undefine-space.js";
import { nvWrite } from "./nv-write.js";

export const ENTRIES: readonly CommandEntry[] = [nvDefineSpace, nvUndefineSpace, nvReadPublic, nvWrite, nvRead];
