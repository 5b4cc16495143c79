import type { CommandEntry } from "../registry.js";
import { policyAuthValue } from "./policy-auth-value.js";
import { policyCommandCode } from "./policy-command-code.js";
import { policyGetDigest } from "./policy-get-digest.js";
import { policyPassword } from "./policy-password.js";
import { policyPcr } from "./policy-pcr.js";
import { policySecret } from "./policy-secret.js";

export const ENTRIES: readonly CommandEntry[] = [
  policySecret,
  policyPcr,
  policyCommandCode,
  policyAuthValue,
  policyPassword,
  policyGetDigest,
];
