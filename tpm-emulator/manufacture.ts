/**
 * The factory: a new TPM of a vendor, its endorsement keys derived from the EPS with the TCG default templates,
 * and EK certificates from the vendor's CA: discrete TPMs get them written to NV like a real EK certificate index;
 * firmware TPMs (Intel PTT, AMD fTPM, Qualcomm) keep NV empty and their vendor publishes them online instead.
 */
import { createHash, generateKeyPairSync } from "node:crypto";
import {
  VENDORS,
  issueEkCertificate,
  loadVendorPki,
  parseEkCertificate,
  publishEkCertificate,
  revokeSerial,
  type EkCertificateRequest,
} from "../certs/index.js";
import {
  EK_CERT_NV_INDEX,
  TPM_ALG,
  TPM_RH,
  TPMA_NV,
  TPM_RC,
  TpmError,
  ekTemplateEcc,
  ekTemplateRsa,
  publicKeyOf,
  type TPMT_PUBLIC,
} from "../tpm2/index.js";
import { TpmEmulator } from "./emulator.js";
import { formatTpmFault, hasFault, type TpmFault } from "./faults.js";
import { createPrimaryObject } from "./object-create.js";
import type { Tpm } from "./tpm.js";
import { findVendorProfile, type EkKind } from "./vendor-profiles.js";

/** NV attributes of an EK certificate index: ppwrite|writedefine|ppread|ownerread|authread|no_da|written|platformcreate. */
export const EK_CERT_NV_ATTRIBUTES =
  TPMA_NV.PPWRITE |
  TPMA_NV.WRITEDEFINE |
  TPMA_NV.PPREAD |
  TPMA_NV.OWNERREAD |
  TPMA_NV.AUTHREAD |
  TPMA_NV.NO_DA |
  TPMA_NV.WRITTEN |
  TPMA_NV.PLATFORMCREATE;

export interface ManufactureOptions {
  vendor: string;
  /** Which EKs to provision; the vendor's default when absent. */
  eks?: readonly EkKind[];
  stateDir?: string;
  /** Home directory holding the vendors' PKIs, which issue the EK certificates and publish firmware TPMs' ones. */
  home: string;
  seed?: Uint8Array;
  firmware?: { major: number; minor: number };
  /** Issue date of the EK certificates (the injectable clock). */
  now?: Date;
  /** Fault switches (faults.ts): a TPM made broken or vulnerable on purpose. */
  faults?: readonly TpmFault[];
}

const YEAR_MS = 365 * 24 * 3600 * 1000;

/** Identity of a hypervisor's virtual TPM (the `virtual` fault): what Hyper-V's vTPM reports. */
const VIRTUAL_IDENTITY = {
  vendor: "MSFT",
  manufacturerId: 0x4d534654,
  vendorStrings: ["Virt", "ual ", "TPM\0", "\0\0\0\0"] as [string, string, string, string],
  model: "Virtual TPM",
  kind: "firmware" as const,
};

/** The TPM's public identity, as `apsim tpm info` prints it. */
export interface TpmInfo {
  vendor: string;
  manufacturerId: string;
  model: string;
  kind: "discrete" | "firmware";
  firmware: string;
  ekPublic: Partial<Record<EkKind, string>>;
  ekPublicSha256: Partial<Record<EkKind, string>>;
  ekCertificates: Partial<Record<EkKind, string>>;
  nvIndices: { index: string; attributes: string; size: number }[];
  pcrs: Record<string, string[]>;
  faults: string[];
}

/** Derives the EK of `kind` from the endorsement seed (the same key every time, as CreatePrimary gives). */
export function deriveEk(tpm: Tpm, kind: EkKind): TPMT_PUBLIC {
  return createPrimaryObject(tpm, TPM_RH.ENDORSEMENT, kind === "rsa" ? ekTemplateRsa() : ekTemplateEcc()).publicArea;
}

/** Writes an EK certificate into its NV index as a platform-created, written index. */
function provisionEkCertificate(tpm: Tpm, kind: EkKind, der: Uint8Array): void {
  const nvIndex = EK_CERT_NV_INDEX[kind];
  if (der.length > 0xffff) throw new TpmError(TPM_RC.NV_SIZE);
  tpm.state.nv = tpm.state.nv.filter((n) => n.public.nvIndex !== nvIndex);
  tpm.state.nv.push({
    public: { nvIndex, nameAlg: TPM_ALG.SHA256, attributes: EK_CERT_NV_ATTRIBUTES, authPolicy: Buffer.alloc(0), dataSize: der.length },
    authValue: Buffer.alloc(0),
    data: Buffer.from(der),
  });
}

/** Builds a TPM like a vendor's factory does; returns it (state saved when `stateDir` is set). */
export async function manufactureTpm(opts: ManufactureOptions): Promise<TpmEmulator> {
  const profile = findVendorProfile(opts.vendor);
  if (!profile) throw new Error(`unknown TPM vendor '${opts.vendor}'`);
  const tpm = TpmEmulator.create({
    vendor: profile.code,
    ...(opts.stateDir ? { stateDir: opts.stateDir } : {}),
    ...(opts.seed ? { seed: opts.seed } : {}),
    ...(opts.firmware ? { firmware: opts.firmware } : {}),
  });
  const eks = opts.eks ?? profile.defaultEks;
  const faults = opts.faults ?? [];
  const state = tpm.runtime.state;
  state.faults = faults.map(formatTpmFault);
  state.identity.provisionedEks = [...eks];
  const isVirtual = hasFault(faults, "virtual") !== undefined;
  if (isVirtual) Object.assign(state.identity, VIRTUAL_IDENTITY);
  if (!isVirtual && !hasFault(faults, "no-ek-cert")) {
    const pki = await loadVendorPki(opts.home, profile.code);
    for (const kind of eks) {
      const der = await issueEkCertificate(pki, ekCertificateRequest(tpm, kind, faults, opts.now ?? new Date()));
      if (hasFault(faults, "revoked-ek-cert")) revokeSerial(opts.home, profile.code, parseEkCertificate(der).serialNumber);
      if (state.identity.kind === "firmware") {
        // A foreign certificate is published where this TPM's EK is looked up, as a mix-up at the vendor would be.
        const forThisEk = hasFault(faults, "foreign-ek-cert") ? { ekPublicKey: publicKeyOf(deriveEk(tpm.runtime, kind)) } : {};
        await publishEkCertificate(opts.home, profile.code, der, forThisEk);
      } else {
        provisionEkCertificate(tpm.runtime, kind, der);
      }
    }
  }
  tpm.save();
  return tpm;
}

/** What the vendor's CA is asked to certify, with the certificate faults applied. */
function ekCertificateRequest(tpm: TpmEmulator, kind: EkKind, faults: readonly TpmFault[], now: Date): EkCertificateRequest {
  const identity = tpm.runtime.state.identity;
  const foreign = () =>
    kind === "rsa"
      ? generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey
      : generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey;
  const ekPublicKey = hasFault(faults, "foreign-ek-cert") ? foreign() : publicKeyOf(deriveEk(tpm.runtime, kind));
  const validity = hasFault(faults, "expired-ek-cert")
    ? { notBefore: new Date(now.getTime() - 10 * YEAR_MS), notAfter: new Date(now.getTime() - YEAR_MS) }
    : hasFault(faults, "not-yet-valid-ek-cert")
      ? { notBefore: new Date(now.getTime() + 10 * YEAR_MS) }
      : { notBefore: now };
  const otherVendor = VENDORS.find((v) => v.manufacturerId !== identity.manufacturerId)!;
  return {
    ekPublicKey,
    kind,
    model: identity.model,
    version: identity.firmwareVersion1,
    specification: { family: "2.0", level: identity.specLevel, revision: identity.specRevision },
    ...validity,
    ...(hasFault(faults, "wrong-vendor-san") ? { manufacturerId: otherVendor.manufacturerId } : {}),
  };
}

function pem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString("base64").replace(/(.{64})/g, "$1\n");
  return `-----BEGIN ${label}-----\n${b64.replace(/\n$/, "")}\n-----END ${label}-----\n`;
}

function hex32(v: number): string {
  return `0x${(v >>> 0).toString(16).padStart(8, "0")}`;
}

/** What the TPM says about itself: identity, EK publics (re-derived from the seed), NV and PCRs. */
export function describeTpm(tpm: TpmEmulator): TpmInfo {
  const rt = tpm.runtime;
  const id = rt.state.identity;
  const info: TpmInfo = {
    vendor: id.vendor,
    manufacturerId: hex32(id.manufacturerId),
    model: id.model,
    kind: id.kind,
    firmware: `${id.firmwareVersion1 >>> 16}.${id.firmwareVersion1 & 0xffff}`,
    ekPublic: {},
    ekPublicSha256: {},
    ekCertificates: {},
    nvIndices: rt.state.nv.map((n) => ({
      index: hex32(n.public.nvIndex),
      attributes: hex32(n.public.attributes),
      size: n.public.dataSize,
    })),
    pcrs: {},
    faults: [...rt.state.faults],
  };
  for (const kind of id.provisionedEks) {
    const spki = publicKeyOf(deriveEk(rt, kind)).export({ type: "spki", format: "der" });
    info.ekPublic[kind] = pem("PUBLIC KEY", spki);
    info.ekPublicSha256[kind] = createHash("sha256").update(spki).digest("hex");
    const nv = rt.nvIndex(EK_CERT_NV_INDEX[kind]);
    if (nv) info.ekCertificates[kind] = pem("CERTIFICATE", nv.data);
  }
  for (const [alg, bank] of rt.pcrs) {
    info.pcrs[alg === TPM_ALG.SHA1 ? "sha1" : "sha256"] = bank.map((d) => d.toString("hex"));
  }
  return info;
}
