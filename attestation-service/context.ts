import type { Clock } from "../lib/index.js";
import type { TPML_PCR_SELECTION } from "../tpm2/index.js";
import type { AttestationTokenSigner } from "./attestation-token.js";
import type { PcrPolicy } from "./checks/pcr-policy.js";
import type { EkVerificationContext } from "./ek-verification.js";
import type { AikIssuer } from "./aik-issuer.js";
import type { SessionPruner } from "./session-pruning.js";
import type { AttestationStore } from "./store/attestation-store.js";

/** The service's settings, defaults applied. */
export interface AttestationSettings {
  readonly allowSoftwareTpm: boolean;
  readonly maxClockSkewMs: number;
  readonly sessionTtlMs: number;
  readonly pcrPolicy: PcrPolicy;
  /** The PCRs every quote must cover. */
  readonly pcrSelection: TPML_PCR_SELECTION;
  /** Time budget of one request's fetches from vendor endpoints, ms. */
  readonly fetchBudgetMs: number;
}

/** What the challenge and proof handlers work with. */
export interface AttestationContext extends EkVerificationContext {
  readonly clock: Clock;
  readonly settings: AttestationSettings;
  readonly store: AttestationStore;
  /** Deletes long-expired sessions now and then. */
  readonly sessions: SessionPruner;
  readonly tokens: AttestationTokenSigner;
  readonly aik: AikIssuer;
}
