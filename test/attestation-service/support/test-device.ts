/**
 * A device for the attestation service's tests: an in-process emulator TPM driven with tpm2/'s TpmClient through
 * what the agent does — EK, AK with CertifyCreation evidence, ActivateCredential under PolicySecret(endorsement),
 * and a quote — producing the protocol's ChallengeRequest and ProofRequest.
 */
import {
  EK_CERT_NV_INDEX,
  TPM2B_CREATION_DATA,
  TPM2B_ENCRYPTED_SECRET,
  TPM2B_ID_OBJECT,
  TPM2B_PUBLIC,
  TPM_ALG,
  TPM_RH,
  TPM_SU,
  TPMT_SIGNATURE,
  TPML_PCR_SELECTION,
  TPM2B_ATTEST,
  TpmClient,
  akTemplate,
  ekTemplateEcc,
  ekTemplateRsa,
  marshal,
  pw,
  unmarshal,
  withSession,
  type TPMT_PUBLIC,
} from "../../../tpm2/index.js";
import { manufactureTpm, type TpmEmulator, type TpmFault } from "../../../tpm-emulator/index.js";
import { ATTESTATION_API_VERSION, type ChallengeRequest, type ChallengeResponse, type ProofRequest } from "../../../protocol/index.js";

const EMPTY = Buffer.alloc(0);
const NO_SENSITIVE = { userAuth: EMPTY, data: EMPTY };
const NULL_SCHEME = { scheme: TPM_ALG.NULL, details: undefined };

/** How to make a test device. */
export interface TestDeviceOptions {
  readonly home: string;
  readonly vendor: string;
  readonly ek?: "rsa" | "ecc";
  readonly ak?: "rsa" | "ecc";
  readonly faults?: readonly TpmFault[];
  readonly firmware?: { major: number; minor: number };
  readonly now?: Date;
  readonly seed?: Uint8Array;
  /** Template of the AK (default akTemplate(kind)): tests make bad AKs with it. */
  readonly akTemplate?: TPMT_PUBLIC;
}

/** A TPM, its EK and one AK, loaded. */
export class TestDevice {
  private constructor(
    readonly tpm: TpmEmulator,
    readonly client: TpmClient,
    readonly ekKind: "rsa" | "ecc",
    readonly ek: { handle: number; publicArea: TPMT_PUBLIC },
    readonly ak: { handle: number; publicArea: TPMT_PUBLIC; name: Buffer },
    readonly evidence: { creationData: Uint8Array; attest: Uint8Array; signature: Uint8Array },
  ) {}

  static async create(options: TestDeviceOptions): Promise<TestDevice> {
    const ekKind = options.ek ?? "ecc";
    const tpm = await manufactureTpm({
      vendor: options.vendor,
      eks: [ekKind],
      home: options.home,
      ...(options.faults ? { faults: options.faults } : {}),
      ...(options.firmware ? { firmware: options.firmware } : {}),
      ...(options.now ? { now: options.now } : {}),
      ...(options.seed ? { seed: options.seed } : {}),
    });
    const client = new TpmClient((command) => tpm.execute(command));
    await client.run("Startup", { params: { startupType: TPM_SU.CLEAR } });
    const ek = await client.run("CreatePrimary", {
      handles: [TPM_RH.ENDORSEMENT],
      auths: [pw()],
      params: { inSensitive: NO_SENSITIVE, inPublic: ekKind === "rsa" ? ekTemplateRsa() : ekTemplateEcc(), outsideInfo: EMPTY, creationPCR: [] },
    });
    const created = await client.run("Create", {
      handles: [ek.handle],
      auths: [withSession(await ekPolicySession(client), { attributes: 0 })],
      params: { inSensitive: NO_SENSITIVE, inPublic: options.akTemplate ?? akTemplate(options.ak ?? "ecc"), outsideInfo: EMPTY, creationPCR: [] },
    });
    const loaded = await client.run("Load", {
      handles: [ek.handle],
      auths: [withSession(await ekPolicySession(client), { attributes: 0 })],
      params: { inPrivate: created.outPrivate, inPublic: created.outPublic },
    });
    const certified = await client.call("CertifyCreation", {
      handles: [loaded.handle, loaded.handle],
      auths: [pw()],
      params: { qualifyingData: EMPTY, creationHash: created.creationHash, inScheme: NULL_SCHEME, creationTicket: created.creationTicket },
    });
    const evidence =
      certified.rc === 0 && certified.response !== undefined
        ? { attest: marshal(TPM2B_ATTEST, certified.response.certifyInfo), signature: marshal(TPMT_SIGNATURE, certified.response.signature) }
        : { attest: marshal(TPM2B_ATTEST, Buffer.alloc(8)), signature: Buffer.alloc(8) };
    return new TestDevice(
      tpm,
      client,
      ekKind,
      { handle: ek.handle, publicArea: ek.outPublic },
      { handle: loaded.handle, publicArea: created.outPublic, name: Buffer.from(loaded.name) },
      { creationData: marshal(TPM2B_CREATION_DATA, created.creationData), ...evidence },
    );
  }

  /** The EK certificate in NV, if the TPM holds one. */
  ekCertificate(): Uint8Array | undefined {
    const nv = this.tpm.runtime.nvIndex(EK_CERT_NV_INDEX[this.ekKind]);
    return nv === undefined ? undefined : Buffer.from(nv.data);
  }

  /** The challenge request a device sends (EK certificate from NV when there is one). */
  challengeRequest(deviceTime: number, overrides: Partial<ChallengeRequest> = {}): ChallengeRequest {
    const identity = this.tpm.runtime.state.identity;
    const certificate = this.ekCertificate();
    return {
      v: ATTESTATION_API_VERSION,
      ekPublic: marshal(TPM2B_PUBLIC, this.ek.publicArea),
      ...(certificate === undefined ? {} : { ekCertificate: certificate }),
      ekIntermediates: [],
      akPublic: marshal(TPM2B_PUBLIC, this.ak.publicArea),
      akCreationData: this.evidence.creationData,
      akCreationAttest: this.evidence.attest,
      akCreationSignature: this.evidence.signature,
      tpm: {
        manufacturer: identity.manufacturerId,
        firmwareVersion1: identity.firmwareVersion1,
        firmwareVersion2: identity.firmwareVersion2,
        specRevision: identity.specRevision,
        specLevel: identity.specLevel,
        vendorString: identity.vendorStrings.join("").replace(/\0+$/, ""),
        family: "2.0",
      },
      deviceTime,
      ...overrides,
    };
  }

  /** Activates the challenge's credential and quotes its nonce over its PCR selection. */
  async proofRequest(challenge: ChallengeResponse, deviceTime: number): Promise<ProofRequest> {
    const activated = await this.client.run("ActivateCredential", {
      handles: [this.ak.handle, this.ek.handle],
      auths: [pw(), withSession(await ekPolicySession(this.client), { attributes: 0 })],
      params: {
        credentialBlob: unmarshal(TPM2B_ID_OBJECT, challenge.credentialBlob),
        secret: unmarshal(TPM2B_ENCRYPTED_SECRET, challenge.encryptedSecret),
      },
    });
    const selection = unmarshal(TPML_PCR_SELECTION, challenge.pcrSelection);
    const quote = await this.client.run("Quote", {
      handles: [this.ak.handle],
      auths: [pw()],
      params: { qualifyingData: challenge.nonce, inScheme: NULL_SCHEME, PCRselect: selection },
    });
    const pcrValues = selection.flatMap(({ hash, pcrSelect }) =>
      [...pcrSelect].flatMap((octet, byte) =>
        Array.from({ length: 8 }, (_, bit) => byte * 8 + bit)
          .filter((index) => (octet & (1 << (index % 8))) !== 0)
          .map((index) => ({ hashAlg: hash, index, value: Buffer.from(this.tpm.runtime.pcrs.get(hash)![index]!) })),
      ),
    );
    return {
      v: ATTESTATION_API_VERSION,
      sessionId: challenge.sessionId,
      secret: Buffer.from(activated.certInfo),
      quote: marshal(TPM2B_ATTEST, quote.quoted),
      quoteSignature: marshal(TPMT_SIGNATURE, quote.signature),
      pcrValues,
      deviceTime,
    };
  }
}

/** PolicySecret(TPM_RH_ENDORSEMENT) in a fresh policy session: what the EK's authPolicy asks for. */
async function ekPolicySession(client: TpmClient) {
  const session = await client.startSession({ type: "policy" });
  await client.run("PolicySecret", {
    handles: [TPM_RH.ENDORSEMENT, session.handle],
    auths: [pw()],
    params: { nonceTPM: EMPTY, cpHashA: EMPTY, policyRef: EMPTY, expiration: 0 },
  });
  return session;
}
