import type { CommandEntry } from "../registry.js";
import { policyAuthValue } from "./policy-auth-value.js";
import { policyAuthorize } from "./policy-authorize.js";
import { policyCommandCode } from "./policy-command-code.js";
import { policyCounterTimer } from "./policy-counter-timer.js";
import { policyCpHash } from "./policy-cp-hash.js";
import { policyDuplicationSelect } from "./policy-duplication-select.js";
import { policyGetDigest } from "./policy-get-digest.js";
import { policyLocality } from "./policy-locality.js";
import { policyNameHash } from "./policy-name-hash.js";
import { policyOr } from "./policy-or.js";
import { policyPassword } from "./policy-password.js";
import { policyPcr } from "./policy-pcr.js";
import { policyPhysicalPresence } from "./policy-physical-presence.js";
import { policySecret } from "./policy-secret.js";
import { policySigned } from "./policy-signed.js";
import { policyTemplate } from "./policy-template.js";
import { policyTicket } from "./policy-ticket.js";

export const ENTRIES: readonly CommandEntry[] = [
  policySigned,
  policySecret,
  policyTicket,
  policyOr,
  policyPcr,
  policyLocality,
  policyPhysicalPresence,
  policyCpHash,
  policyCommandCode,
  policyNameHash,
  policyDuplicationSelect,
  policyAuthorize,
  policyAuthValue,
  policyPassword,
  policyGetDigest,
  policyCounterTimer,
  policyTemplate,
];
