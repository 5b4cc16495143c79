import type { CommandEntry } from "../registry.js";
import { nvCertify } from "./nv-certify.js";
import { nvChangeAuth } from "./nv-change-auth.js";
import { nvDefineSpace } from "./nv-define-space.js";
import { nvExtend } from "./nv-extend.js";
import { nvGlobalWriteLock } from "./nv-global-write-lock.js";
import { nvIncrement } from "./nv-increment.js";
import { nvRead } from "./nv-read.js";
import { nvReadLock } from "./nv-read-lock.js";
import { nvReadPublic } from "./nv-read-public.js";
import { nvSetBits } from "./nv-set-bits.js";
import { nvUndefineSpace } from "./nv-undefine-space.js";
import { nvUndefineSpaceSpecial } from "./nv-undefine-space-special.js";
import { nvWrite } from "./nv-write.js";
import { nvWriteLock } from "./nv-write-lock.js";

export { checkReadAccess } from "./nv-access.js";
export { applyNvStartup, type NvStartupKind } from "./nv-startup.js";
export { nvTarget } from "./nv-target.js";
export { clearNvWrittenRequirement, nvWrittenRequirement, requireNvWritten } from "./nv-written-policy.js";

export const ENTRIES: readonly CommandEntry[] = [
  nvDefineSpace,
  nvUndefineSpace,
  nvUndefineSpaceSpecial,
  nvReadPublic,
  nvWrite,
  nvIncrement,
  nvExtend,
  nvSetBits,
  nvWriteLock,
  nvGlobalWriteLock,
  nvRead,
  nvReadLock,
  nvChangeAuth,
  nvCertify,
];
