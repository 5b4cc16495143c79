/**
 * The AIK service mounted on a fastify app: POST attestation/v1/challenge, POST attestation/v1/proof (CBOR),
 * GET attestation/v1/jwks (the attestation token key), and an admin listing of issued AIK certificates.
 */
import type { FastifyInstance } from "fastify";
import { bearerTokenMatches, type Clock } from "../lib/index.js";
import {
  ATTESTATION_LIMITS,
  ATTESTATION_PATHS,
  ProtocolError,
  decodeCborBody,
  parseChallengeRequest,
  parseProofRequest,
  sendCbor,
} from "../protocol/index.js";
import { TPM_ALG, type TPML_PCR_SELECTION } from "../tpm2/index.js";
import { createAikIssuer } from "./aik-issuer.js";
import { loadAttestationTokenSigner } from "./attestation-token.js";
import { CertificateCache } from "./certificate-cache.js";
import { answerChallenge } from "./challenge.js";
import { DEFAULT_MAX_CLOCK_SKEW_MS } from "./checks/clock-skew.js";
import type { PcrPolicy } from "./checks/pcr-policy.js";
import type { AttestationContext, AttestationSettings } from "./context.js";
import { answerProof } from "./proof.js";
import { SessionPruner } from "./session-pruning.js";
import { SignatureVerifier } from "./signature-verifier.js";
import { openAttestationStore } from "./store/attestation-store.js";
import { loadTrustAnchors } from "./trust-anchors.js";
import { VendorResources } from "./vendor-resources.js";

/** Options of {@link registerAttestationService}. */
export interface AttestationServiceOptions {
  /** Home of the PKIs (vendor roots, AIK CAs), the token key and the default SQLite database. */
  readonly home: string;
  /** `postgres://…`, `sqlite:PATH`, `:memory:` or a path; default `<home>/attestation.sqlite`. */
  readonly db?: string | undefined;
  readonly clock: Clock;
  /** Accept software (swtpm) and virtual (MSFT) TPMs, which Autopilot refuses. */
  readonly allowSoftwareTpm: boolean;
  /** Base URL serving the vendors' virtual hosts (AIA, CRLs, EK certificate services). */
  readonly vendorsUrl: string;
  /** PEM trust anchors for the vendor endpoints' TLS. */
  readonly trustCa: string;
  /** Bearer token of the admin routes. */
  readonly adminToken: string;
  /** Largest device clock skew accepted; default 5 minutes. */
  readonly maxClockSkewMs?: number | undefined;
  /** How long a challenge may be answered; default 5 minutes. */
  readonly sessionTtlMs?: number | undefined;
  /** Expected PCR values; default none. Every PCR it names is added to the quoted selection. */
  readonly pcrPolicy?: PcrPolicy | undefined;
}

/** The mounted service. */
export interface AttestationService {
  close(): Promise<void>;
}

/** Default session lifetime. */
export const DEFAULT_SESSION_TTL_MS = 5 * 60 * 1000;
/** Time budget of one request's fetches from the vendor endpoints. */
const FETCH_BUDGET_MS = 15_000;

/** The selection every quote covers: sha256 PCRs 0–7, plus the PCRs the policy names. */
export function pcrSelectionFor(policy: PcrPolicy): TPML_PCR_SELECTION {
  const banks = new Map<number, Buffer>([[TPM_ALG.SHA256, Buffer.from([0xff, 0x00, 0x00])]]);
  for (const { hashAlg, index } of policy) {
    const bits = banks.get(hashAlg) ?? Buffer.alloc(3);
    bits[index >> 3] = bits[index >> 3]! | (1 << (index & 7));
    banks.set(hashAlg, bits);
  }
  return [...banks].map(([hash, pcrSelect]) => ({ hash, pcrSelect }));
}

function settingsOf(options: AttestationServiceOptions): AttestationSettings {
  const pcrPolicy = options.pcrPolicy ?? [];
  for (const { index } of pcrPolicy) {
    if (!Number.isInteger(index) || index < 0 || index > 23) throw new RangeError(`PCR policy names PCR ${index}`);
  }
  return {
    allowSoftwareTpm: options.allowSoftwareTpm,
    maxClockSkewMs: options.maxClockSkewMs ?? DEFAULT_MAX_CLOCK_SKEW_MS,
    sessionTtlMs: options.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS,
    pcrPolicy,
    pcrSelection: pcrSelectionFor(pcrPolicy),
    fetchBudgetMs: FETCH_BUDGET_MS,
  };
}

/**
 * Mounts the AIK service on `app` (whose error handler is installProtocolErrorHandler's): loads the vendor roots
 * as trust anchors, the token key and the AIK CAs from `home`, opens and migrates the store. Bodies are bounded by
 * ATTESTATION_LIMITS.maxBodyBytes; every rejection is a registry error.
 */
export async function registerAttestationService(app: FastifyInstance, options: AttestationServiceOptions): Promise<AttestationService> {
  const settings = settingsOf(options);
  const [anchors, tokens, store] = await Promise.all([
    loadTrustAnchors(options.home),
    loadAttestationTokenSigner(options.home),
    openAttestationStore({ home: options.home, db: options.db }),
  ]);
  const resources = new VendorResources({ vendorsUrl: options.vendorsUrl, trustCa: options.trustCa, clock: options.clock });
  const signatures = new SignatureVerifier();
  const context: AttestationContext = {
    anchors,
    resources,
    clock: options.clock,
    certificates: new CertificateCache(),
    verifySignature: (certificate, issuer) => signatures.certificate(certificate, issuer),
    verifyCrl: (crl, issuer) => signatures.crl(crl, issuer),
    settings,
    store,
    sessions: new SessionPruner(store),
    tokens,
    aik: createAikIssuer(options.home),
  };
  const bounded = { bodyLimit: ATTESTATION_LIMITS.maxBodyBytes };

  app.post(`/${ATTESTATION_PATHS.challenge}`, bounded, async (request, reply) => {
    const challenge = parseChallengeRequest(decodeCborBody(request.body));
    return sendCbor(reply, await answerChallenge(challenge, context));
  });
  app.post(`/${ATTESTATION_PATHS.proof}`, bounded, async (request, reply) => {
    const proof = parseProofRequest(decodeCborBody(request.body));
    return sendCbor(reply, await answerProof(proof, context));
  });
  app.get("/attestation/v1/jwks", async (_request, reply) => reply.type("application/json").send(tokens.jwks));
  app.get<{ Params: { akName: string } }>("/attestation/v1/admin/certificates/:akName", async (request, reply) => {
    if (!bearerTokenMatches(request.headers.authorization, options.adminToken)) throw new ProtocolError("UNAUTHORIZED");
    const issued = await store.issuedCertificates(request.params.akName.toLowerCase());
    return reply.type("application/json").send({
      certificates: issued.map((record) => ({
        serial: record.serial,
        vendor: record.vendor,
        ekSpkiHash: record.ekSpkiHash,
        issuedAt: new Date(record.issuedAt).toISOString(),
        der: Buffer.from(record.der).toString("base64"),
      })),
    });
  });

  let closed: Promise<void> | undefined;
  return {
    close: () => (closed ??= Promise.all([resources.close(), store.close()]).then(() => undefined)),
  };
}
