import type { CommandEntry } from "../registry.js";
import { policyAuthorizeNv } from "./policy-authorize-nv.js";
import { policyNv } from "./policy-nv.js";
import { policyNvWritten } from "./policy-nv-written.js";

export const ENTRIES: readonly CommandEntry[] = [policyNv, policyNvWritten, policyAuthorizeNv];
