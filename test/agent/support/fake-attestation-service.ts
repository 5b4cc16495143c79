/**
 * A small attestation service for the agent's tests, speaking the protocol contract with real crypto:
 * checks the AK's CertifyCreation, answers a MakeCredential challenge over the EK it receives, verifies the
 * activated secret and the quote (nonce and PCR digest), and issues an AIK certificate from a throwaway
 * root → intermediate. Scripted answers (error codes, dropped connections) come first when configured; the
 * vendor routes serve EK certificates and CA certificates the way the simulated vendors do.
 */
import { createHash, randomBytes, webcrypto } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { loadTlsCredentials, x509, type VendorPki } from "../../../certs/index.js";
import { createHttpsApp, listenLoopback } from "../../../lib/index.js";
import {
  ATTESTATION_API_VERSION,
  ProtocolError,
  decodeCborBody,
  encodeIntelEkCertificateBody,
  ekCertificatePath,
  ekPublicKeyParts,
  installProtocolErrorHandler,
  intelEkCertificateId,
  parseChallengeRequest,
  parseProofRequest,
  sendCbor,
  type ChallengeRequest,
  type EkCertificateServiceStyle,
  type ProofRequest,
} from "../../../protocol/index.js";
import {
  TPM2B_ATTEST,
  TPM2B_CREATION_DATA,
  TPM2B_ENCRYPTED_SECRET,
  TPM2B_ID_OBJECT,
  TPM2B_PUBLIC,
  TPML_PCR_SELECTION,
  TPM_ALG,
  TPM_ST,
  makeCredential,
  marshal,
  parseAttest,
  publicKeyOf,
  unmarshal,
  verifyAttestSignature,
  verifyQuote,
  type TPMS_CREATION_INFO,
  type TPMT_PUBLIC,
} from "../../../tpm2/index.js";

/** An answer given instead of the real one: an error body with a status, or a connection cut without answer. */
export type ScriptedAnswer = { status: number; code: string; retryable?: boolean; retryAfterSeconds?: number } | "drop";

/** How the AIK certificate is spoiled, to test the device's checks. */
export type AikDefect = "none" | "other-key" | "no-eku" | "broken-chain";

export interface FakeServiceOptions {
  readonly home: string;
  readonly script?: { challenge?: ScriptedAnswer[]; proof?: ScriptedAnswer[] };
  readonly aikDefect?: AikDefect;
  /** EK certificates served at the firmware vendors' endpoints. */
  readonly vendorEkCertificates?: { style: EkCertificateServiceStyle; host: string; ekPublic: TPMT_PUBLIC; der: Uint8Array }[];
  /** Vendor PKIs whose CA certificates are served at their AIA URLs. */
  readonly vendorPkis?: readonly VendorPki[];
  /** The PCR selection to ask for (default sha256 PCRs 0–7). */
  readonly pcrSelection?: { hash: number; pcrSelect: Uint8Array }[];
}

export interface FakeService {
  readonly url: string;
  /** The local TLS CA the service's certificate chains to. */
  readonly ca: string;
  readonly requests: { challenge: number; proof: number; vendor: number; aia: number };
  readonly challenges: ChallengeRequest[];
  readonly proofs: ProofRequest[];
  /** Root of the AIK certificates (PEM). */
  readonly aikRootPem: string;
  close(): Promise<void>;
}

const SIGNING = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const DAY = 86_400_000;

interface Session {
  readonly secret: Buffer;
  readonly nonce: Buffer;
  readonly akPublic: TPMT_PUBLIC;
  readonly akPublicBytes: Uint8Array;
  readonly selection: { hash: number; pcrSelect: Uint8Array }[];
}

function reject(code: ConstructorParameters<typeof ProtocolError>[0], detail: string): never {
  throw new ProtocolError(code, detail);
}

/** Name of an object from its TPM2B_PUBLIC bytes: nameAlg ‖ H(TPMT_PUBLIC). */
function nameOf(publicBytes: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([0x00, 0x0b]), createHash("sha256").update(publicBytes.subarray(2)).digest()]);
}

async function importAkKey(akPublic: TPMT_PUBLIC): Promise<webcrypto.CryptoKey> {
  const spki = publicKeyOf(akPublic).export({ type: "spki", format: "der" });
  const algorithm = akPublic.type === TPM_ALG.RSA ? { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" } : { name: "ECDSA", namedCurve: "P-256" };
  return webcrypto.subtle.importKey("spki", spki, algorithm, true, ["verify"]);
}

async function makeAikPki() {
  const notBefore = new Date(Date.now() - DAY);
  const notAfter = new Date(Date.now() + 365 * DAY);
  const rootKeys = (await webcrypto.subtle.generateKey(SIGNING, true, ["sign", "verify"]));
  const intermediateKeys = (await webcrypto.subtle.generateKey(SIGNING, true, ["sign", "verify"]));
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: "01",
    name: "CN=Fake TPM Root",
    notBefore,
    notAfter,
    keys: rootKeys,
    signingAlgorithm: SIGNING,
    extensions: [new x509.BasicConstraintsExtension(true, 1, true)],
  });
  const intermediate = await x509.X509CertificateGenerator.create({
    serialNumber: "02",
    subject: "CN=FAKE-KEYID-0102",
    issuer: root.subject,
    notBefore,
    notAfter,
    publicKey: intermediateKeys.publicKey,
    signingKey: rootKeys.privateKey,
    signingAlgorithm: SIGNING,
    extensions: [new x509.BasicConstraintsExtension(true, 0, true)],
  });
  const stranger = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: "03",
    name: "CN=Stranger",
    notBefore,
    notAfter,
    keys: (await webcrypto.subtle.generateKey(SIGNING, true, ["sign", "verify"])),
    signingAlgorithm: SIGNING,
  });
  return { root, intermediate, intermediateKeys, stranger, notBefore, notAfter };
}

/** Starts the fake on 127.0.0.1, port 0, with the home's TLS credentials. */
export async function startFakeAttestationService(options: FakeServiceOptions): Promise<FakeService> {
  const tls = await loadTlsCredentials(options.home);
  const app: FastifyInstance = createHttpsApp({ tls });
  installProtocolErrorHandler(app);
  const pki = await makeAikPki();
  const sessions = new Map<string, Session>();
  const requests = { challenge: 0, proof: 0, vendor: 0, aia: 0 };
  const challenges: ChallengeRequest[] = [];
  const proofs: ProofRequest[] = [];
  const script = { challenge: [...(options.script?.challenge ?? [])], proof: [...(options.script?.proof ?? [])] };

  /** Plays the next scripted answer, if any; true when it answered. */
  const scripted = (queue: ScriptedAnswer[], request: FastifyRequest, reply: FastifyReply): boolean => {
    const next = queue.shift();
    if (next === undefined) return false;
    if (next === "drop") {
      request.raw.socket.destroy();
      return true;
    }
    if (next.retryAfterSeconds !== undefined) void reply.header("retry-after", String(next.retryAfterSeconds));
    void sendCbor(reply, { error: { code: next.code, message: `scripted ${next.code}`, retryable: next.retryable ?? false } }, next.status);
    return true;
  };

  app.post("/attestation/v1/challenge", async (request, reply) => {
    requests.challenge++;
    if (scripted(script.challenge, request, reply)) return reply;
    const message = parseChallengeRequest(decodeCborBody(request.body));
    challenges.push(message);
    const ekPublic = unmarshal(TPM2B_PUBLIC, message.ekPublic);
    const akPublic = unmarshal(TPM2B_PUBLIC, message.akPublic);
    const akName = nameOf(message.akPublic);
    const attestBytes = unmarshal(TPM2B_ATTEST, message.akCreationAttest);
    try {
      verifyAttestSignature({ signerPublic: akPublic, attest: attestBytes, signature: message.akCreationSignature });
    } catch (error) {
      reject("AK_CREATION_INVALID", (error as Error).message);
    }
    const attest = parseAttest(attestBytes);
    const info = attest.attested as TPMS_CREATION_INFO;
    const creationData = marshal(TPM2B_CREATION_DATA, unmarshal(TPM2B_CREATION_DATA, message.akCreationData)).subarray(2);
    if (attest.type !== TPM_ST.ATTEST_CREATION || !Buffer.from(info.objectName).equals(akName)) {
      reject("AK_CREATION_INVALID", "the creation attestation does not name the AK");
    }
    if (!Buffer.from(info.creationHash).equals(createHash("sha256").update(creationData).digest())) {
      reject("AK_CREATION_INVALID", "creationHash differs from H(creationData)");
    }
    const secret = randomBytes(32);
    const nonce = randomBytes(32);
    const selection = options.pcrSelection ?? [{ hash: TPM_ALG.SHA256, pcrSelect: Buffer.from([0xff, 0, 0]) }];
    const credential = makeCredential({ ekPublic, objectName: akName, credential: secret });
    const sessionId = randomBytes(16).toString("hex");
    sessions.set(sessionId, { secret, nonce, akPublic, akPublicBytes: message.akPublic, selection });
    return sendCbor(reply, {
      v: ATTESTATION_API_VERSION,
      sessionId,
      credentialBlob: marshal(TPM2B_ID_OBJECT, credential.credentialBlob),
      encryptedSecret: marshal(TPM2B_ENCRYPTED_SECRET, credential.secret),
      nonce,
      pcrSelection: marshal(TPML_PCR_SELECTION, selection),
      expiresAt: Date.now() + 5 * 60_000,
    });
  });

  app.post("/attestation/v1/proof", async (request, reply) => {
    requests.proof++;
    if (scripted(script.proof, request, reply)) return reply;
    const message = parseProofRequest(decodeCborBody(request.body));
    proofs.push(message);
    const session = sessions.get(message.sessionId) ?? reject("SESSION_UNKNOWN", message.sessionId);
    sessions.delete(message.sessionId);
    if (!Buffer.from(message.secret).equals(session.secret)) reject("CREDENTIAL_MISMATCH", "wrong secret");
    const pcrDigest = createHash("sha256").update(Buffer.concat(message.pcrValues.map((p) => p.value))).digest();
    try {
      verifyQuote({
        akPublic: session.akPublic,
        attest: unmarshal(TPM2B_ATTEST, message.quote),
        signature: message.quoteSignature,
        nonce: session.nonce,
        pcrDigest,
      });
    } catch (error) {
      reject("QUOTE_SIGNATURE_INVALID", (error as Error).message);
    }
    const defect = options.aikDefect ?? "none";
    const certifiedKey =
      defect === "other-key"
        ? ((await webcrypto.subtle.generateKey(SIGNING, true, ["sign", "verify"]))).publicKey
        : await importAkKey(session.akPublic);
    const aik = await x509.X509CertificateGenerator.create({
      serialNumber: randomBytes(8).toString("hex").replace(/^[89a-f]/, "1"),
      subject: "",
      issuer: pki.intermediate.subject,
      notBefore: pki.notBefore,
      notAfter: pki.notAfter,
      publicKey: certifiedKey,
      signingKey: pki.intermediateKeys.privateKey,
      signingAlgorithm: SIGNING,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        ...(defect === "no-eku" ? [] : [new x509.ExtendedKeyUsageExtension(["2.23.133.8.3"], false)]),
      ],
    });
    const chain = defect === "broken-chain" ? [pki.stranger] : [pki.intermediate, pki.root];
    return sendCbor(reply, {
      v: ATTESTATION_API_VERSION,
      akCertificate: new Uint8Array(aik.rawData),
      akCertificateChain: chain.map((c) => new Uint8Array(c.rawData)),
      token: "fake.token.value",
    });
  });

  const vendorCertificates = new Map<string, Uint8Array>();
  for (const entry of options.vendorEkCertificates ?? []) {
    const path = `/${entry.host}${ekCertificatePath(entry.style, ekPublicKeyParts(entry.ekPublic))}`;
    const body =
      entry.style === "intel"
        ? Buffer.from(JSON.stringify(encodeIntelEkCertificateBody(intelEkCertificateId(ekPublicKeyParts(entry.ekPublic)), entry.der)))
        : Buffer.from(entry.der);
    vendorCertificates.set(decodeURIComponent(path), body);
  }
  const caCertificates = new Map<string, Uint8Array>();
  for (const vendorPki of options.vendorPkis ?? []) {
    for (const ca of [...vendorPki.roots, ...vendorPki.issuingCas]) {
      const url = new URL(ca.aiaUrl);
      caCertificates.set(`/${url.hostname}${url.pathname}`, new Uint8Array(ca.certificate.rawData));
    }
  }
  app.get("/*", async (request, reply) => {
    const path = decodeURIComponent(request.url.split("?")[0]!);
    const ekCertificate = vendorCertificates.get(path);
    if (ekCertificate !== undefined) {
      requests.vendor++;
      const json = path.includes("/ekcertservice/");
      return reply.type(json ? "application/json" : "application/pkix-cert").send(Buffer.from(ekCertificate));
    }
    const caCertificate = caCertificates.get(path);
    if (caCertificate !== undefined) {
      requests.aia++;
      return reply.type("application/pkix-cert").send(Buffer.from(caCertificate));
    }
    throw new ProtocolError("NOT_FOUND", path);
  });

  const address = await listenLoopback(app);
  return {
    url: address.url,
    ca: tls.ca,
    requests,
    challenges,
    proofs,
    aikRootPem: pki.root.toString("pem"),
    close: () => app.close(),
  };
}
