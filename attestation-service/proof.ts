/**
 * POST attestation/v1/proof: the activated secret and a quote over the session's nonce prove that the AK lives
 * in the TPM holding the EK. On success the session is consumed (exactly once, whatever the concurrency), the AK's
 * clock recorded, and the device gets its AIK certificate and an attestation token (issue section 3).
 */
import { spkiOfTpmPublic, vendorByManufacturerId } from "../certs/index.js";
import { ATTESTATION_API_VERSION, ProtocolError, type ProofRequest, type ProofResponse } from "../protocol/index.js";
import { publicKeyOf } from "../tpm2/index.js";
import { checkAkRollback } from "./checks/ak-rollback.js";
import { checkClockSkew } from "./checks/clock-skew.js";
import { checkActivatedSecret } from "./checks/credential-secret.js";
import { checkPcrPolicy } from "./checks/pcr-policy.js";
import { checkQuote } from "./checks/quote.js";
import { firmwareVersionOf } from "./checks/vulnerable-firmware.js";
import type { AttestationContext } from "./context.js";
import { decodeAttest, decodePcrSelection, decodePublic, decodeSignature } from "./evidence.js";
import type { ConsumeOutcome, SessionRecord } from "./store/attestation-store.js";

function refuseSession(outcome: Exclude<ConsumeOutcome, "consumed">): never {
  switch (outcome) {
    case "unknown":
      throw new ProtocolError("SESSION_UNKNOWN");
    case "expired":
      throw new ProtocolError("NONCE_EXPIRED");
    case "replayed":
      throw new ProtocolError("NONCE_REPLAYED");
  }
}

async function openSession(sessionId: string, context: AttestationContext): Promise<SessionRecord> {
  const session = await context.store.findSession(sessionId);
  if (session === undefined) refuseSession("unknown");
  if (session.usedAt !== undefined) refuseSession("replayed");
  if (session.expiresAt <= context.clock.now()) refuseSession("expired");
  return session;
}

/** Verifies a proof, consumes its session and issues the AIK certificate and token. */
export async function answerProof(request: ProofRequest, context: AttestationContext): Promise<ProofResponse> {
  checkClockSkew(request.deviceTime, context.clock.now(), context.settings.maxClockSkewMs);
  const session = await openSession(request.sessionId, context);
  checkActivatedSecret(request.secret, session.secretHash);

  const ak = decodePublic("akPublic", session.akPublic);
  const quote = decodeAttest("quote", request.quote);
  const attest = checkQuote({
    akPublic: ak.publicArea,
    attestBytes: quote.bytes,
    signature: decodeSignature("quoteSignature", request.quoteSignature),
    nonce: session.nonce,
    selection: decodePcrSelection("pcrSelection", session.pcrSelection),
    pcrValues: request.pcrValues,
  });
  checkPcrPolicy(request.pcrValues, context.settings.pcrPolicy);
  // the AK's clock is checked against its history inside commitProof's transaction, where it is also recorded
  const akClock = { clock: attest.clockInfo.clock, resetCount: attest.clockInfo.resetCount, restartCount: attest.clockInfo.restartCount };

  const now = context.clock.now();
  const issued = await context.aik.issue({
    vendor: session.vendor,
    ekIssuer: context.certificates.parse(session.ekIssuerCertificate),
    // checkQuote verified a signature by this key, so its SubjectPublicKeyInfo is taken without importing it again
    akPublicKey: spkiOfTpmPublic(ak.publicArea) ?? publicKeyOf(ak.publicArea),
    tpm: { manufacturerId: session.tpm.manufacturer, model: session.tpm.model, version: session.tpm.certifiedVersion },
    now,
  });
  const der = issued.der;
  const outcome = await context.store.commitProof({
    sessionId: session.id,
    now,
    akName: session.akName,
    akClock,
    certificate: { serial: issued.serial, akName: session.akName, ekSpkiHash: session.ekSpkiHash, vendor: session.vendor, der, issuedAt: now },
    checkHistory: (previous) => checkAkRollback(previous, akClock),
  });
  if (outcome !== "consumed") refuseSession(outcome);

  const firmware = firmwareVersionOf(session.tpm.firmwareVersion1);
  const token = await context.tokens.sign(
    {
      sub: session.akName,
      ekpub: session.ekSpkiHash,
      tpm: {
        manufacturer: vendorByManufacturerId(session.tpm.manufacturer)?.code ?? session.vendor,
        firmware: `${firmware.major}.${firmware.minor}`,
        model: session.tpm.model,
      },
      aikSerial: issued.serial,
    },
    now,
  );
  return {
    v: ATTESTATION_API_VERSION,
    akCertificate: der,
    akCertificateChain: issued.chain,
    token,
  };
}
