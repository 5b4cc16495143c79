/**
 * POST attestation/v1/challenge: the device's TPM evidence is checked (clock, TPM kind, vulnerable TPMs, AK
 * attributes and creation binding, EK certificate and chain), then the service answers with
 * TPM2_MakeCredential(EK, AK Name, secret) and a nonce, bound to a single-use session (issue section 3).
 */
import { createHash, randomBytes } from "node:crypto";
import { certificateFacts } from "../certs/index.js";
import { ATTESTATION_API_VERSION, ProtocolError, type ChallengeRequest, type ChallengeResponse } from "../protocol/index.js";
import { TPM2B_ENCRYPTED_SECRET, TPM2B_ID_OBJECT, TPML_PCR_SELECTION, makeCredential, marshal } from "../tpm2/index.js";
import { checkAkAttributes } from "./checks/ak-attributes.js";
import { checkAkCreation } from "./checks/ak-creation.js";
import { checkClockSkew } from "./checks/clock-skew.js";
import { secretHashOf } from "./checks/credential-secret.js";
import { checkNoRocaFingerprint } from "./checks/roca-keys.js";
import { checkTpmSupported } from "./checks/tpm-support.js";
import { checkFirmwareNotBlocked } from "./checks/vulnerable-firmware.js";
import type { AttestationContext } from "./context.js";
import { decodeAttest, decodeCreationData, decodePublic, decodeSignature } from "./evidence.js";
import { verifyEk } from "./ek-verification.js";

/** Bytes of the credential secret and of the quote nonce (32: a SHA-256 digest, what an EK's nameAlg allows). */
export const CHALLENGE_SECRET_BYTES = 32;
export const CHALLENGE_NONCE_BYTES = 32;

/** Hex SHA-256 of a DER SubjectPublicKeyInfo. */
export function spkiHash(spki: Uint8Array): string {
  return createHash("sha256").update(spki).digest("hex");
}

/** Checks a challenge request and opens its attestation session. */
export async function answerChallenge(request: ChallengeRequest, context: AttestationContext): Promise<ChallengeResponse> {
  const { settings, clock } = context;
  checkClockSkew(request.deviceTime, clock.now(), settings.maxClockSkewMs);
  checkTpmSupported(request.tpm, settings.allowSoftwareTpm);

  const ek = decodePublic("ekPublic", request.ekPublic);
  const ak = decodePublic("akPublic", request.akPublic);
  const creationData = decodeCreationData("akCreationData", request.akCreationData);
  const creation = decodeAttest("akCreationAttest", request.akCreationAttest);
  const creationSignature = decodeSignature("akCreationSignature", request.akCreationSignature);

  checkFirmwareNotBlocked(request.tpm.manufacturer, request.tpm.firmwareVersion1);
  checkNoRocaFingerprint([
    { what: "EK", publicArea: ek.publicArea },
    { what: "AK", publicArea: ak.publicArea },
  ]);
  checkAkAttributes(ak.publicArea);
  checkAkCreation({ ak, creationData, attestBytes: creation.bytes, attest: creation.attest, signature: creationSignature });

  const verified = await verifyEk(request, ek.publicArea, context, AbortSignal.timeout(settings.fetchBudgetMs));
  checkFirmwareNotBlocked(request.tpm.manufacturer, request.tpm.firmwareVersion1, verified.parsed.version);

  const akName = ak.name.toString("hex");
  const secret = randomBytes(CHALLENGE_SECRET_BYTES);
  let credential: ReturnType<typeof makeCredential>;
  try {
    credential = makeCredential({ ekPublic: ek.publicArea, objectName: ak.name, credential: secret });
  } catch (error) {
    throw new ProtocolError("MALFORMED_TPM_STRUCTURE", `ekPublic cannot protect a credential: ${(error as Error).message}`, { cause: error });
  }
  const now = clock.now();
  const nonce = randomBytes(CHALLENGE_NONCE_BYTES);
  const pcrSelection = marshal(TPML_PCR_SELECTION, settings.pcrSelection);
  const session = {
    id: randomBytes(32).toString("base64url"),
    akName,
    // the certificate's key: verifyEk checked it is the EK's, SubjectPublicKeyInfo for SubjectPublicKeyInfo
    ekSpkiHash: spkiHash(verified.ekSpki),
    vendor: verified.vendor,
    nonce,
    secretHash: secretHashOf(secret),
    akPublic: Buffer.from(request.akPublic),
    ekIssuerCertificate: Buffer.from(certificateFacts(verified.issuer).der),
    tpm: {
      manufacturer: request.tpm.manufacturer,
      model: verified.parsed.model,
      certifiedVersion: verified.parsed.version,
      firmwareVersion1: request.tpm.firmwareVersion1,
      firmwareVersion2: request.tpm.firmwareVersion2,
    },
    pcrSelection,
    createdAt: now,
    expiresAt: now + settings.sessionTtlMs,
    usedAt: undefined,
  };
  await context.store.insertSession(session);
  await context.sessions.pruneIfDue(now);
  return {
    v: ATTESTATION_API_VERSION,
    sessionId: session.id,
    credentialBlob: marshal(TPM2B_ID_OBJECT, credential.credentialBlob),
    encryptedSecret: marshal(TPM2B_ENCRYPTED_SECRET, credential.secret),
    nonce,
    pcrSelection,
    expiresAt: session.expiresAt,
  };
}
