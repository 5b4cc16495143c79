/** The command table: every implemented command by its code, grouped as in Part 3. */
import type { CommandEntry } from "./registry.js";
import { ENTRIES as attestation } from "./attestation/index.js";
import { ENTRIES as capability } from "./capability/index.js";
import { ENTRIES as clock } from "./clock/index.js";
import { ENTRIES as context } from "./context/index.js";
import { ENTRIES as credential } from "./credential/index.js";
import { ENTRIES as ea } from "./ea/index.js";
import { ENTRIES as hash } from "./hash/index.js";
import { ENTRIES as hierarchy } from "./hierarchy/index.js";
import { ENTRIES as nv } from "./nv/index.js";
import { ENTRIES as object } from "./object/index.js";
import { ENTRIES as pcr } from "./pcr/index.js";
import { ENTRIES as random } from "./random/index.js";
import { ENTRIES as session } from "./session/index.js";
import { ENTRIES as signing } from "./signing/index.js";
import { ENTRIES as startup } from "./startup/index.js";
import { ENTRIES as testing } from "./testing/index.js";
import { ENTRIES as asymmetric } from "./asymmetric/index.js";
import { ENTRIES as symmetric } from "./symmetric/index.js";
import { ENTRIES as sequence } from "./sequence/index.js";
import { ENTRIES as duplication } from "./duplication/index.js";
import { ENTRIES as eaNv } from "./ea-nv/index.js";
import { ENTRIES as audit } from "./audit/index.js";
import { ENTRIES as ephemeral } from "./ephemeral/index.js";
import { ENTRIES as management } from "./management/index.js";

const ALL: readonly CommandEntry[] = [
  ...startup,
  ...testing,
  ...session,
  ...object,
  ...credential,
  ...hash,
  ...random,
  ...attestation,
  ...signing,
  ...pcr,
  ...ea,
  ...hierarchy,
  ...context,
  ...clock,
  ...capability,
  ...nv,
  ...asymmetric,
  ...symmetric,
  ...sequence,
  ...duplication,
  ...eaNv,
  ...audit,
  ...ephemeral,
  ...management,
];

export const COMMAND_TABLE: ReadonlyMap<number, CommandEntry> = new Map(ALL.map((e) => [e.def.code, e]));
