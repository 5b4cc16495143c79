/**
 * TPM attestation as Windows runs it in "Securing your hardware" (reference §1.4–§1.5, DESIGN.md's journey):
 * TPM properties, EK, EK certificate (NV or vendor endpoint, then AIA intermediates), AK with its creation
 * evidence, then challenge → ActivateCredential → Quote → proof against the attestation service, retried
 * within a budget, and a check of the AIK certificate received. Every step is named and timed; every
 * failure ends as a registry code with the HRESULT Windows would show.
 */
import { createHash } from "node:crypto";
import { performance } from "node:perf_hooks";
import type { Dispatcher } from "undici";
import { createHttpsAgent, systemClock, type Clock } from "../../lib/index.js";
import {
  ATTESTATION_API_VERSION,
  ATTESTATION_PATHS,
  normalizeBaseUrl,
  parseChallengeResponse,
  parseProofResponse,
  type ChallengeRequest,
  type ChallengeResponse,
  type ProofRequest,
  type ProofResponse,
} from "../../protocol/index.js";
import {
  TPM2B_ATTEST,
  TPM2B_CREATION_DATA,
  TPM2B_ENCRYPTED_SECRET,
  TPM2B_ID_OBJECT,
  TPM2B_PUBLIC,
  TPML_PCR_SELECTION,
  TPMT_SIGNATURE,
  marshal,
  unmarshal,
} from "../../tpm2/index.js";
import { TpmDevice, type CreatedPrimary, type TpmDeviceOptions } from "../tpm/tpm-device.js";
import { verifyAikCertificate } from "./aik-certificate.js";
import { CertificateCache } from "./certificate-cache.js";
import { createAttestationKey, type AkKind, type AttestationKey } from "./attestation-key.js";
import { createEndorsementKey, obtainEkCertificate, type EkCertificateEvidence, type EkChoice, type Endorsement } from "./endorsement.js";
import { serviceFailure, tpmFailure } from "./failures.js";
import { postCbor, type Exchange } from "./http-exchange.js";
import { AttestationFailure, OK_CODE, S_OK, type AttestationOutcome, type StepEvent } from "./outcome.js";
import { Backoff, DEFAULT_RETRY, sleep, type RetryOptions } from "./retry-policy.js";
import { StepRecorder } from "./step-recorder.js";
import { readTpmIdentity, type TpmIdentity } from "./tpm-properties.js";

export type { EkChoice } from "./endorsement.js";

/** Options of {@link attestDevice}. */
export interface AttestDeviceOptions {
  /** An open TPM (left open), or a `--tpm` location opened and closed here. */
  readonly tpm: TpmDevice | string;
  /** Base URL of the services (`apsim up` prints it); vendor endpoints are resolved against it too. */
  readonly serverUrl: string;
  /** PEM trust anchors of the services' TLS (the home's local TLS CA); ignored with `dispatcher`. */
  readonly ca?: string;
  /**
   * Which EK: auto = RSA when NV holds an RSA EK certificate, else ECC when it holds an ECC one, else RSA —
   * and for a firmware TPM whose vendor has no certificate for the RSA EK, the ECC EK when it has one.
   */
  readonly ek?: EkChoice;
  readonly ak?: AkKind;
  /** The AK template's 20-byte `unique`; random (as on Windows) when absent. */
  readonly akUnique?: Uint8Array;
  /** Device clock: deviceTime in messages and the overall deadline. */
  readonly clock?: Clock;
  readonly retry?: RetryOptions;
  /** An undici dispatcher to reuse (fleets share one); otherwise one is made and closed here. */
  readonly dispatcher?: Dispatcher;
  /**
   * CA certificates downloaded through AIA and AIK chains verified, kept across attestations (the devices of a
   * process share one). Absent: the cache that goes with `dispatcher` (devices sharing a connection pool share
   * what it fetched), or one for this attestation alone when no dispatcher is given.
   */
  readonly certificateCache?: CertificateCache;
  /** Overall deadline of the attestation, ms (device clock). Default 5 minutes. */
  readonly timeoutMs?: number;
  /** Deadline of one HTTP request, ms. Default 30 s. */
  readonly requestTimeoutMs?: number;
  readonly tpmOptions?: TpmDeviceOptions;
  /** Called as each step completes (progress output). */
  readonly onStep?: (event: StepEvent) => void;
  /** Leave the AK loaded once attested and return it with the attestation token (for the join that follows). */
  readonly keepAk?: boolean;
}

const DEFAULT_TIMEOUT_MS = 5 * 60_000;

/** The cache of each shared dispatcher, released with it. */
const cachesByDispatcher = new WeakMap<Dispatcher, CertificateCache>();

function certificateCacheOf(options: AttestDeviceOptions): CertificateCache {
  if (options.certificateCache !== undefined) return options.certificateCache;
  if (options.dispatcher === undefined) return new CertificateCache();
  let cache = cachesByDispatcher.get(options.dispatcher);
  if (cache === undefined) cachesByDispatcher.set(options.dispatcher, (cache = new CertificateCache()));
  return cache;
}
const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

function failed(steps: StepRecorder, failure: AttestationFailure): AttestationOutcome {
  return { ok: false, code: failure.code, hresult: failure.hresultText, akCertificate: null, steps: steps.steps };
}

/** The jitter seed a device keeps: from its EK's Name, so devices differ and each is reproducible. */
function seedOf(ek: CreatedPrimary): number {
  return createHash("sha256").update(ek.name).digest().readUInt32BE(0);
}

interface Evidence {
  readonly identity: TpmIdentity;
  readonly ek: Endorsement;
  readonly ekCertificate: EkCertificateEvidence;
  readonly ak: AttestationKey;
}

function challengeRequest(evidence: Evidence, clock: Clock): ChallengeRequest {
  const { identity, ek, ekCertificate, ak } = evidence;
  return {
    v: ATTESTATION_API_VERSION,
    ekPublic: marshal(TPM2B_PUBLIC, ek.key.public),
    ...(ekCertificate.certificate === undefined ? {} : { ekCertificate: ekCertificate.certificate }),
    ekIntermediates: ekCertificate.intermediates,
    akPublic: marshal(TPM2B_PUBLIC, ak.key.public),
    akCreationData: marshal(TPM2B_CREATION_DATA, ak.key.creationData),
    akCreationAttest: marshal(TPM2B_ATTEST, ak.creation.attest),
    akCreationSignature: marshal(TPMT_SIGNATURE, ak.creation.signature),
    tpm: identity.properties,
    deviceTime: clock.now(),
  };
}

/** The TPM structures of a challenge, decoded (a malformed one is the service's fault). */
function decodeChallenge(challenge: ChallengeResponse) {
  return {
    credentialBlob: unmarshal(TPM2B_ID_OBJECT, challenge.credentialBlob),
    encryptedSecret: unmarshal(TPM2B_ENCRYPTED_SECRET, challenge.encryptedSecret),
    pcrSelection: unmarshal(TPML_PCR_SELECTION, challenge.pcrSelection),
  };
}

/** Steps 5–8, one attempt: challenge, ActivateCredential, Quote + PCR_Read, proof. */
async function exchangeOnce(
  device: TpmDevice,
  evidence: Evidence,
  urls: { challenge: string; proof: string },
  exchange: Exchange,
  clock: Clock,
  steps: StepRecorder,
): Promise<ProofResponse> {
  const { challenge, decoded } = await steps.run(
    "challenge",
    async () => {
      const challenge = parseChallengeResponse(await postCbor(urls.challenge, challengeRequest(evidence, clock), exchange));
      return { challenge, decoded: decodeChallenge(challenge) };
    },
    serviceFailure,
  );
  const { ek, ak } = evidence;
  const secret = await steps.run(
    "activateCredential",
    () => device.activateCredential(ak.key.handle, ek.key.handle, decoded.credentialBlob, decoded.encryptedSecret),
    tpmFailure,
  );
  const { quote, pcrs } = await steps.run(
    "quote",
    async () => ({
      quote: await device.quote(ak.key.handle, challenge.nonce, decoded.pcrSelection),
      pcrs: await device.readPcrs(decoded.pcrSelection),
    }),
    tpmFailure,
  );
  const proof: ProofRequest = {
    v: ATTESTATION_API_VERSION,
    sessionId: challenge.sessionId,
    secret,
    quote: marshal(TPM2B_ATTEST, quote.attest),
    quoteSignature: marshal(TPMT_SIGNATURE, quote.signature),
    pcrValues: pcrs.map((pcr) => ({ hashAlg: pcr.hashAlg, index: pcr.index, value: pcr.value })),
    deviceTime: clock.now(),
  };
  return steps.run("proof", async () => parseProofResponse(await postCbor(urls.proof, proof, exchange)), serviceFailure);
}

interface Run {
  readonly clock: Clock;
  readonly deadline: number;
  readonly steps: StepRecorder;
  readonly exchange: Exchange;
  readonly certificates: CertificateCache;
  readonly track: (handle: number) => void;
  /** Stops tracking a transient object: it stays loaded. */
  readonly keep: (handle: number) => void;
  /** Flushes a tracked transient object now. */
  readonly release: (handle: number) => Promise<void>;
}

function timedOut(): AttestationFailure {
  return new AttestationFailure("SERVICE_UNREACHABLE", "the attestation did not complete before its deadline", { unreachable: true });
}

/** Steps 5–8 with retries: a retryable failure waits and starts again from the challenge. */
async function exchangeWithRetries(device: TpmDevice, evidence: Evidence, options: AttestDeviceOptions, run: Run): Promise<ProofResponse> {
  const base = normalizeBaseUrl(options.serverUrl);
  const urls = { challenge: new URL(ATTESTATION_PATHS.challenge, base).href, proof: new URL(ATTESTATION_PATHS.proof, base).href };
  const retry = options.retry ?? {};
  const attempts = Math.max(1, retry.attempts ?? DEFAULT_RETRY.attempts);
  const backoff = new Backoff(retry, seedOf(evidence.ek.key));
  const delay = retry.delay ?? sleep;
  const failures: AttestationFailure[] = [];
  for (let attempt = 1; ; attempt++) {
    if (run.clock.now() >= run.deadline) throw timedOut();
    try {
      return await exchangeOnce(device, evidence, urls, run.exchange, run.clock, run.steps);
    } catch (error) {
      const failure = error instanceof AttestationFailure ? error : serviceFailure(error);
      if (!failure.retryable) throw failure;
      failures.push(failure);
      if (attempt >= attempts) {
        if (failures.every((f) => f.unreachable)) {
          throw new AttestationFailure("SERVICE_UNREACHABLE", `no answer in ${attempts} attempts: ${failure.message}`, { unreachable: true });
        }
        throw AttestationFailure.of("RETRY_BUDGET_EXHAUSTED", `${attempts} attempts, the last: ${failure.code}`);
      }
      const wait = backoff.delayAfter(attempt, failure.options.retryAfterMs);
      if (run.clock.now() + wait >= run.deadline) throw timedOut();
      await delay(wait);
    }
  }
}

/** Steps 1–9 on an open TPM. */
async function attestWith(device: TpmDevice, options: AttestDeviceOptions, run: Run): Promise<AttestationOutcome> {
  const { steps } = run;
  const identity = await steps.run(
    "tpmProperties",
    async () => {
      const identity = await readTpmIdentity(device);
      if (identity.properties.family !== "2.0") {
        throw AttestationFailure.of("NO_TPM", `the TPM reports family '${identity.properties.family}'`);
      }
      return identity;
    },
    tpmFailure,
  );
  const choice = options.ek ?? "auto";
  let ek = await steps.run("endorsementKey", () => createEndorsementKey(device, choice, run.track), tpmFailure);
  let ekCertificate = await obtainEkCertificate(device, identity, ek, options.serverUrl, run.exchange, steps, run.certificates);
  // A firmware vendor publishes certificates only for the EKs it certified (our Qualcomm fTPM: ECC alone),
  // so "auto" tries the ECC EK there before going on without a certificate.
  if (choice === "auto" && ek.kind === "rsa" && ekCertificate.missing === "NOT_FOUND") {
    const ecc = await steps.run("endorsementKey", () => createEndorsementKey(device, "ecc", run.track), tpmFailure);
    const eccCertificate = await obtainEkCertificate(device, identity, ecc, options.serverUrl, run.exchange, steps, run.certificates);
    const [kept, dropped] = eccCertificate.certificate === undefined ? [ek, ecc] : [ecc, ek];
    await run.release(dropped.key.handle);
    if (kept === ecc) [ek, ekCertificate] = [ecc, eccCertificate];
  }
  const ak = await steps.run(
    "attestationKey",
    () => createAttestationKey(device, options.ak ?? "rsa", run.track, options.akUnique),
    tpmFailure,
  );
  const evidence: Evidence = { identity, ek, ekCertificate, ak };
  const proof = await exchangeWithRetries(device, evidence, options, run);
  const akCertificate = await steps.run(
    "aikCertificate",
    () => Promise.resolve().then(() => verifyAikCertificate(ak.key.public, proof.akCertificate, proof.akCertificateChain, run.certificates)),
    serviceFailure,
  );
  if (options.keepAk !== true) return { ok: true, code: OK_CODE, hresult: S_OK, akCertificate, steps: steps.steps };
  run.keep(ak.key.handle);
  const attestationKey = { handle: ak.key.handle, name: ak.key.name, public: ak.key.public };
  return { ok: true, code: OK_CODE, hresult: S_OK, akCertificate, steps: steps.steps, attestationKey, token: proof.token };
}

/**
 * Runs the whole attestation and reports it; never throws for a failed attestation (the outcome says why).
 * Transient objects are flushed on every path; a TPM opened here is closed, a dispatcher made here closed.
 */
export async function attestDevice(options: AttestDeviceOptions): Promise<AttestationOutcome> {
  const clock = options.clock ?? systemClock;
  const steps = new StepRecorder(options.onStep);
  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  let device: TpmDevice;
  const opening = performance.now();
  try {
    device = typeof options.tpm === "string" ? TpmDevice.open(options.tpm, options.tpmOptions) : options.tpm;
  } catch (error) {
    const failure = tpmFailure(error);
    steps.fail("tpmProperties", opening, failure);
    return failed(steps, failure);
  }
  const dispatcher = options.dispatcher ?? createHttpsAgent({ ...(options.ca === undefined ? {} : { ca: options.ca }), timeoutMs: requestTimeoutMs });
  const transients = new Set<number>();
  const run: Run = {
    clock,
    deadline: clock.now() + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    steps,
    exchange: { dispatcher, timeoutMs: requestTimeoutMs },
    certificates: certificateCacheOf(options),
    track: (handle) => transients.add(handle),
    keep: (handle) => transients.delete(handle),
    release: async (handle) => {
      transients.delete(handle);
      await device.flushQuietly(handle);
    },
  };
  try {
    return await attestWith(device, options, run);
  } catch (error) {
    return failed(steps, error instanceof AttestationFailure ? error : tpmFailure(error));
  } finally {
    for (const handle of [...transients].reverse()) await device.flushQuietly(handle);
    if (typeof options.tpm === "string") await device.close().catch(() => undefined);
    if (options.dispatcher === undefined) await dispatcher.close();
  }
}
