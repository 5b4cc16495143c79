/**
 * The agent's TPM: typed wrappers for the commands attestation needs, over any transport, with the TSS's
 * resubmission and start-up rules (resubmit.ts) in between. Failures of a command are TpmError (its
 * response code); failures to reach the TPM are TpmConnectionError.
 */
import type { TpmEmulator } from "../../tpm-emulator/index.js";
import {
  TPM_ALG,
  TPM_CAP,
  TPM_PT,
  TPM_RC,
  TPM_RH,
  TPMA_NV,
  TpmClient,
  TpmError,
  baseResponseCode,
  pw,
  withSession,
  type ClientSession,
  type TPML_PCR_SELECTION,
  type TPMS_CREATION_DATA,
  type TPMS_NV_PUBLIC,
  type TPMT_PUBLIC,
  type TPMT_SIGNATURE,
  type TPMT_TK_CREATION,
  type Transport,
} from "../../tpm2/index.js";
import { openDeviceFile } from "./device-file-transport.js";
import { emulatorConnection, openStateDir } from "./in-process-transport.js";
import { openMssim } from "./mssim-transport.js";
import { resubmitting, type ResubmitOptions } from "./resubmit.js";
import { openSwtpm } from "./swtpm-transport.js";
import { parseTpmLocation, type TpmLocation } from "./tpm-location.js";
import type { TpmConnection } from "./tpm-connection.js";

/** Options of {@link TpmDevice.open} and friends. */
export interface TpmDeviceOptions {
  readonly resubmit?: ResubmitOptions;
  /** Connect and per-command deadline of socket transports, ms. */
  readonly timeoutMs?: number;
}

/** A primary key just created, with its creation evidence. */
export interface CreatedPrimary {
  readonly handle: number;
  readonly public: TPMT_PUBLIC;
  readonly name: Uint8Array;
  readonly creationData: TPMS_CREATION_DATA;
  readonly creationHash: Uint8Array;
  readonly creationTicket: TPMT_TK_CREATION;
}

/** What TPM2_Quote and TPM2_CertifyCreation return: the TPMS_ATTEST bytes and the signature over them. */
export interface SignedAttestation {
  readonly attest: Uint8Array;
  readonly signature: TPMT_SIGNATURE;
}

/** One PCR's value. */
export interface PcrReading {
  readonly hashAlg: number;
  readonly index: number;
  readonly value: Uint8Array;
}

const EMPTY = Buffer.alloc(0);
const NO_SENSITIVE = { userAuth: EMPTY, data: EMPTY };
const NULL_SCHEME = { scheme: TPM_ALG.NULL, details: undefined };
/** TPM_PT_NV_BUFFER_MAX when the TPM does not say (the PC Client minimum). */
const DEFAULT_NV_BUFFER = 512;
const FIXED_PROPERTIES_END = TPM_PT.PT_FIXED + 0x100;

function describeLocation(location: TpmLocation): string {
  switch (location.kind) {
    case "state":
      return location.dir;
    case "device":
      return location.path;
    default:
      return `${location.kind}://${location.host}:${location.port}`;
  }
}

function connect(location: TpmLocation, options: TpmDeviceOptions): TpmConnection {
  const timeout = options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs };
  switch (location.kind) {
    case "state":
      return openStateDir(location.dir);
    case "swtpm":
      return openSwtpm(location, timeout);
    case "mssim":
      return openMssim(location, timeout);
    case "device":
      return openDeviceFile(location.path);
  }
}

/** The PCRs a selection names, in selection order (bank by bank, ascending index). */
export function pcrsOf(selection: TPML_PCR_SELECTION): { hashAlg: number; index: number }[] {
  const out: { hashAlg: number; index: number }[] = [];
  for (const bank of selection) {
    bank.pcrSelect.forEach((byte, octet) => {
      for (let bit = 0; bit < 8; bit++) if (byte & (1 << bit)) out.push({ hashAlg: bank.hash, index: octet * 8 + bit });
    });
  }
  return out;
}

function selectionOf(pcrs: readonly { hashAlg: number; index: number }[]): TPML_PCR_SELECTION {
  const banks = new Map<number, Buffer>();
  for (const { hashAlg, index } of pcrs) {
    const bits = banks.get(hashAlg) ?? Buffer.alloc(3);
    bits[index >> 3]! |= 1 << (index & 7);
    banks.set(hashAlg, bits);
  }
  return [...banks].map(([hash, pcrSelect]) => ({ hash, pcrSelect }));
}

export class TpmDevice {
  readonly client: TpmClient;

  private constructor(
    private readonly connection: TpmConnection,
    /** Where the TPM is, for messages. */
    readonly location: string,
    options: TpmDeviceOptions,
  ) {
    this.client = new TpmClient(resubmitting(connection.transport, options.resubmit));
  }

  /** The TPM at a `--tpm` location (see tpm-location.ts); nothing is sent until the first command. */
  static open(location: string | TpmLocation, options: TpmDeviceOptions = {}): TpmDevice {
    const parsed = typeof location === "string" ? parseTpmLocation(location) : location;
    return new TpmDevice(connect(parsed, options), describeLocation(parsed), options);
  }

  /** An emulator already in this process (fleets keep them in memory). */
  static fromEmulator(emulator: TpmEmulator, options: TpmDeviceOptions = {}): TpmDevice {
    return new TpmDevice(emulatorConnection(emulator), emulator.stateDir ?? "in-process TPM", options);
  }

  /** Any transport; `close` releases it. */
  static overTransport(
    transport: Transport,
    options: TpmDeviceOptions & { close?: () => Promise<void>; location?: string } = {},
  ): TpmDevice {
    return new TpmDevice({ transport, close: options.close ?? (() => Promise.resolve()) }, options.location ?? "TPM", options);
  }

  close(): Promise<void> {
    return this.connection.close();
  }

  /** Every TPM_PT_* fixed property (GetCapability TPM_CAP_TPM_PROPERTIES from TPM_PT_FIXED, Part 2 §6.13). */
  async fixedProperties(): Promise<Map<number, number>> {
    const properties = new Map<number, number>();
    let next: number = TPM_PT.PT_FIXED;
    for (let round = 0; round < 16 && next < FIXED_PROPERTIES_END; round++) {
      const out = await this.client.run("GetCapability", {
        params: { capability: TPM_CAP.TPM_PROPERTIES, property: next, propertyCount: FIXED_PROPERTIES_END - next },
      });
      const list = out.capabilityData.data as { property: number; value: number }[];
      for (const { property, value } of list) if (property < FIXED_PROPERTIES_END) properties.set(property, value);
      const last = list.at(-1)?.property;
      if (!out.moreData || last === undefined || last < next) break;
      next = last + 1;
    }
    return properties;
  }

  /** TPM2_CreatePrimary with an empty sensitive area and no creation PCRs. */
  async createPrimary(hierarchy: number, template: TPMT_PUBLIC): Promise<CreatedPrimary> {
    const out = await this.client.run("CreatePrimary", {
      handles: [hierarchy],
      auths: [pw()],
      params: { inSensitive: NO_SENSITIVE, inPublic: template, outsideInfo: EMPTY, creationPCR: [] },
    });
    return {
      handle: out.handle,
      public: out.outPublic,
      name: out.name,
      creationData: out.creationData,
      creationHash: out.creationHash,
      creationTicket: out.creationTicket,
    };
  }

  /** The public area of an NV index, or undefined when the index is not defined. */
  async nvPublic(index: number): Promise<TPMS_NV_PUBLIC | undefined> {
    const out = await this.client.call("NV_ReadPublic", { handles: [index], params: {} });
    if (out.rc !== TPM_RC.SUCCESS) {
      if (baseResponseCode(out.rc) === TPM_RC.HANDLE) return undefined;
      throw new TpmError(out.rc, { message: `NV_ReadPublic(0x${index.toString(16)}) failed: 0x${out.rc.toString(16)}` });
    }
    return out.response!.nvPublic;
  }

  /**
   * The whole contents of a written NV index, read in chunks of at most `chunkSize` (TPM_PT_NV_BUFFER_MAX),
   * authorized by the index's own empty authValue when it allows (AUTHREAD), else by the owner's.
   */
  async readNv(nvPublic: TPMS_NV_PUBLIC, chunkSize = DEFAULT_NV_BUFFER): Promise<Buffer> {
    const auth = nvPublic.attributes & TPMA_NV.AUTHREAD ? nvPublic.nvIndex : TPM_RH.OWNER;
    const parts: Buffer[] = [];
    for (let offset = 0; offset < nvPublic.dataSize; offset += chunkSize) {
      const size = Math.min(chunkSize, nvPublic.dataSize - offset);
      const out = await this.client.run("NV_Read", { handles: [auth, nvPublic.nvIndex], auths: [pw()], params: { size, offset } });
      parts.push(Buffer.from(out.data));
    }
    return Buffer.concat(parts);
  }

  /** TPM2_CertifyCreation of `object` signed by `signer` with the signer's own scheme. */
  async certifyCreation(signer: number, object: CreatedPrimary, qualifyingData: Uint8Array = EMPTY): Promise<SignedAttestation> {
    const out = await this.client.run("CertifyCreation", {
      handles: [signer, object.handle],
      auths: [pw()],
      params: { qualifyingData, creationHash: object.creationHash, inScheme: NULL_SCHEME, creationTicket: object.creationTicket },
    });
    return { attest: out.certifyInfo, signature: out.signature };
  }

  /** A policy session satisfying the default EK policy: PolicySecret(TPM_RH_ENDORSEMENT) (EK profile §2.1.5). */
  async endorsementPolicySession(): Promise<ClientSession> {
    const session = await this.client.startSession({ type: "policy" });
    try {
      await this.client.run("PolicySecret", {
        handles: [TPM_RH.ENDORSEMENT, session.handle],
        auths: [pw()],
        params: { nonceTPM: EMPTY, cpHashA: EMPTY, policyRef: EMPTY, expiration: 0 },
      });
    } catch (error) {
      await this.flushQuietly(session.handle);
      throw error;
    }
    return session;
  }

  /**
   * TPM2_ActivateCredential: `key` is the object the credential is bound to (its Name), `ek` the protector,
   * authorized by a fresh EK policy session that the command ends.
   */
  async activateCredential(key: number, ek: number, credentialBlob: Uint8Array, secret: Uint8Array): Promise<Buffer> {
    const session = await this.endorsementPolicySession();
    try {
      const out = await this.client.run("ActivateCredential", {
        handles: [key, ek],
        auths: [pw(), withSession(session, { attributes: 0 })],
        params: { credentialBlob, secret },
      });
      return Buffer.from(out.certInfo);
    } finally {
      if (session.live) await this.flushQuietly(session.handle);
    }
  }

  /** TPM2_Quote of `selection` over `nonce` with the signer's own scheme. */
  async quote(signer: number, nonce: Uint8Array, selection: TPML_PCR_SELECTION): Promise<SignedAttestation> {
    const out = await this.client.run("Quote", {
      handles: [signer],
      auths: [pw()],
      params: { qualifyingData: nonce, inScheme: NULL_SCHEME, PCRselect: selection },
    });
    return { attest: out.quoted, signature: out.signature };
  }

  /** The values of the selected PCRs in selection order; PCR_Read answers at most 8 per call, so it loops. */
  async readPcrs(selection: TPML_PCR_SELECTION): Promise<PcrReading[]> {
    const wanted = pcrsOf(selection);
    const key = (hashAlg: number, index: number) => `${hashAlg}:${index}`;
    const values = new Map<string, Uint8Array>();
    let remaining = wanted;
    while (remaining.length > 0) {
      const out = await this.client.run("PCR_Read", { params: { pcrSelectionIn: selectionOf(remaining) } });
      const read = pcrsOf(out.pcrSelectionOut);
      if (read.length === 0 || read.length !== out.pcrValues.length) break;
      read.forEach((pcr, i) => values.set(key(pcr.hashAlg, pcr.index), out.pcrValues[i]!));
      remaining = remaining.filter((pcr) => !values.has(key(pcr.hashAlg, pcr.index)));
    }
    if (remaining.length > 0) {
      throw new TpmError(TPM_RC.PCR, { message: `the TPM has no value for ${remaining.length} selected PCR(s)` });
    }
    return wanted.map(({ hashAlg, index }) => ({ hashAlg, index, value: values.get(key(hashAlg, index))! }));
  }

  /** Flushes a transient object or session, ignoring failures (cleanup on every path). */
  async flushQuietly(handle: number): Promise<void> {
    try {
      await this.client.flush(handle);
    } catch {
      // the handle is gone already, or the TPM is unreachable: nothing left to release
    }
  }
}

/** Opens the TPM at a `--tpm` location. */
export function openTpm(location: string | TpmLocation, options: TpmDeviceOptions = {}): TpmDevice {
  return TpmDevice.open(location, options);
}
