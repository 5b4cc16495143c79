import type { KeyKind } from "./signing-key.js";

/** The simulated TPM vendors, by TCG vendor ID code. */
export type VendorCode = "IFX" | "STM" | "NTC" | "INTC" | "AMD" | "QCOM" | "IBM";

/** Where the vendor's TPMs live: a separate chip, the platform's firmware, or software (swtpm/libtpms). */
export type TpmVendorKind = "discrete" | "firmware" | "software";

/**
 * Deviations from the TCG EK Credential Profile and from DER that real EK certificates carry.
 * Each is off unless set; a vendor's defaults live in its table entry.
 */
export interface EkCertificateQuirks {
  /**
   * Encode DEFAULT FALSE values explicitly, as Intel PTT EK certificates do: `cA FALSE` in
   * basicConstraints and `critical FALSE` in subjectDirectoryAttributes (not DER, X.690 §11.5).
   */
  readonly explicitFalse?: boolean;
  /** The SAN directoryName as one RDN holding all three TPM attributes instead of three RDNs. */
  readonly singleRdnSan?: boolean;
  /** No authorityKeyIdentifier extension (the AIK service then names the AIK CA by NAMEID). */
  readonly omitAuthorityKeyId?: boolean;
}

/** One CA of a vendor PKI: `name` is file- and URL-safe (`http://<host>/<name>.crt`), `commonName` its CN. */
export interface VendorCaProfile {
  readonly name: string;
  readonly commonName: string;
}

/** A root CA and the EK issuing CA under it; both of key kind `kind`. */
export interface VendorCaHierarchy {
  readonly kind: KeyKind;
  readonly root: VendorCaProfile;
  readonly issuing: VendorCaProfile;
}

/** Who a simulated TPM vendor is and how its EK PKI is shaped. */
export interface VendorPkiIdentity {
  readonly code: VendorCode;
  readonly kind: TpmVendorKind;
  /** TCG vendor ID (big-endian ASCII of the code, NUL-padded), as in TPM_PT_MANUFACTURER. */
  readonly manufacturerId: number;
  readonly organization: string;
  /** ISO 3166 alpha-2 country of the CA subjects. */
  readonly country: string;
  /** Fixed virtual host of the vendor's AIA/CRL/EK-certificate endpoints (never with a port). */
  readonly host: string;
  /** Which EK issuing CAs the vendor runs (each under a root of the same kind). */
  readonly ekCaKinds: readonly KeyKind[];
  /** Which issuing CA signs an EK of each kind. */
  readonly ekIssuerKind: Readonly<Record<KeyKind, KeyKind>>;
  /** The CA hierarchies, in the order of `ekCaKinds`. */
  readonly hierarchies: readonly VendorCaHierarchy[];
  /** Quirks of this vendor's EK certificates unless a request says otherwise. */
  readonly ekQuirks: EkCertificateQuirks;
  /** Folder of the vendor in the TrustedTpm.cab layout (`Infineon`, `STMicro`, `QC`, …). */
  readonly trustBundleFolder: string;
  /** tcg-at-tpmModel and firmware version (MAJOR.MINOR) of the vendor's typical TPM, for certificates made on request. */
  readonly defaultModel: string;
  readonly defaultFirmware: { readonly major: number; readonly minor: number };
}

/** Marks every CA subject: these CAs are simulations and never claim to be the vendor's real CA. */
export const SIMULATED_UNIT = "apsim simulated PKI - not a real CA";

interface VendorDefinition {
  readonly code: VendorCode;
  readonly kind: TpmVendorKind;
  readonly organization: string;
  readonly country: string;
  readonly hierarchies: readonly VendorCaHierarchy[];
  readonly ekIssuerKind: Readonly<Record<KeyKind, KeyKind>>;
  readonly ekQuirks?: EkCertificateQuirks;
  readonly trustBundleFolder: string;
  readonly defaultModel: string;
  readonly defaultFirmware: { readonly major: number; readonly minor: number };
}

/** TCG Vendor ID registry: the 4-character code as a big-endian uint32, padded as registered. */
const MANUFACTURER_IDS: Readonly<Record<VendorCode, number>> = {
  IFX: 0x49465800,
  STM: 0x53544d20,
  NTC: 0x4e544300,
  INTC: 0x494e5443,
  AMD: 0x414d4400,
  QCOM: 0x51434f4d,
  IBM: 0x49424d00,
};

function defineVendor(definition: VendorDefinition): VendorPkiIdentity {
  return Object.freeze({
    code: definition.code,
    kind: definition.kind,
    manufacturerId: MANUFACTURER_IDS[definition.code],
    organization: definition.organization,
    country: definition.country,
    host: `pki.${definition.code.toLowerCase()}.vendors.apsim.test`,
    ekCaKinds: Object.freeze(definition.hierarchies.map((hierarchy) => hierarchy.kind)),
    ekIssuerKind: Object.freeze({ ...definition.ekIssuerKind }),
    hierarchies: Object.freeze([...definition.hierarchies]),
    ekQuirks: Object.freeze({ ...definition.ekQuirks }),
    trustBundleFolder: definition.trustBundleFolder,
    defaultModel: definition.defaultModel,
    defaultFirmware: Object.freeze({ ...definition.defaultFirmware }),
  });
}

function ca(name: string, commonName: string): VendorCaProfile {
  return { name, commonName };
}

/**
 * The simulated vendor PKIs, modelled on what the real vendors publish (TrustedTpm.cab, vendor
 * AIA URLs): discrete-TPM vendors (Infineon, STMicro, Nuvoton) run separate RSA and ECC hierarchies
 * and sign each EK with the CA of its own kind; Intel's firmware-TPM EK certificates are
 * ECDSA-signed even for RSA EKs; AMD's chain is RSA throughout. Qualcomm's EK certificates come from
 * a Microsoft-operated service whose key types are not public: modelled here as RSA (an assumption).
 * IBM is the manufacturer ID swtpm (libtpms) reports; its EK certificates come from swtpm-localca, one
 * RSA CA under a local root, which is how it is modelled (a software TPM: Autopilot should not trust it).
 * Intel's EK certificates carry the explicit-FALSE encodings of real PTT certificates by default.
 */
export const VENDORS: readonly VendorPkiIdentity[] = Object.freeze([
  defineVendor({
    code: "IFX",
    kind: "discrete",
    trustBundleFolder: "Infineon",
    defaultModel: "SLB9672",
    defaultFirmware: { major: 16, minor: 10 },
    organization: "Infineon Technologies AG",
    country: "DE",
    hierarchies: [
      {
        kind: "rsa",
        root: ca("OptigaRsaRootCA", "Simulated Infineon OPTIGA(TM) RSA Root CA"),
        issuing: ca("OptigaRsaMfrCA001", "Simulated Infineon OPTIGA(TM) RSA Manufacturing CA 001"),
      },
      {
        kind: "ecc",
        root: ca("OptigaEccRootCA", "Simulated Infineon OPTIGA(TM) ECC Root CA"),
        issuing: ca("OptigaEccMfrCA001", "Simulated Infineon OPTIGA(TM) ECC Manufacturing CA 001"),
      },
    ],
    ekIssuerKind: { rsa: "rsa", ecc: "ecc" },
  }),
  defineVendor({
    code: "STM",
    kind: "discrete",
    trustBundleFolder: "STMicro",
    defaultModel: "ST33KTPM2X",
    defaultFirmware: { major: 9, minor: 257 },
    organization: "STMicroelectronics NV",
    country: "CH",
    hierarchies: [
      {
        kind: "rsa",
        root: ca("StmTpmEkRootCA", "Simulated STM TPM EK Root CA"),
        issuing: ca("StmTpmEkIntermediateCA01", "Simulated STM TPM EK Intermediate CA 01"),
      },
      {
        kind: "ecc",
        root: ca("StmTpmEccRootCA01", "Simulated STM TPM ECC Root CA 01"),
        issuing: ca("StmTpmEccIntermediateCA01", "Simulated STM TPM ECC Intermediate CA 01"),
      },
    ],
    ekIssuerKind: { rsa: "rsa", ecc: "ecc" },
  }),
  defineVendor({
    code: "NTC",
    kind: "discrete",
    trustBundleFolder: "Nuvoton",
    defaultModel: "NPCT75x",
    defaultFirmware: { major: 7, minor: 2 },
    organization: "Nuvoton Technology Corporation",
    country: "TW",
    hierarchies: [
      {
        kind: "rsa",
        root: ca("NuvotonTpmRootCA1110", "Simulated Nuvoton TPM Root CA 1110"),
        issuing: ca("NuvotonTpmRsaIssuingCA1111", "Simulated Nuvoton TPM RSA Issuing CA 1111"),
      },
      {
        kind: "ecc",
        root: ca("NuvotonTpmRootCA2110", "Simulated Nuvoton TPM Root CA 2110"),
        issuing: ca("NuvotonTpmEccIssuingCA2111", "Simulated Nuvoton TPM ECC Issuing CA 2111"),
      },
    ],
    ekIssuerKind: { rsa: "rsa", ecc: "ecc" },
  }),
  defineVendor({
    code: "INTC",
    kind: "firmware",
    trustBundleFolder: "Intel",
    defaultModel: "PTT",
    defaultFirmware: { major: 600, minor: 18 },
    ekQuirks: { explicitFalse: true },
    organization: "Intel Corporation",
    country: "US",
    hierarchies: [
      {
        kind: "ecc",
        root: ca("IntelPttEkRootCA", "Simulated Intel(R) PTT EK Root CA"),
        issuing: ca("IntelPttEkIntermediateCA", "Simulated Intel(R) PTT EK Intermediate CA"),
      },
    ],
    ekIssuerKind: { rsa: "ecc", ecc: "ecc" },
  }),
  defineVendor({
    code: "AMD",
    kind: "firmware",
    trustBundleFolder: "AMD",
    defaultModel: "fTPM",
    defaultFirmware: { major: 6, minor: 32 },
    organization: "Advanced Micro Devices, Inc.",
    country: "US",
    hierarchies: [
      {
        kind: "rsa",
        root: ca("AmdTpmRootCA", "Simulated AMD TPM Root CA"),
        issuing: ca("AmdFtpmRsaIca", "Simulated AMD fTPM RSA ICA"),
      },
    ],
    ekIssuerKind: { rsa: "rsa", ecc: "rsa" },
  }),
  defineVendor({
    code: "QCOM",
    kind: "firmware",
    trustBundleFolder: "QC",
    defaultModel: "SPU-TPM",
    defaultFirmware: { major: 1, minor: 0 },
    organization: "Qualcomm Technologies, Inc.",
    country: "US",
    hierarchies: [
      {
        kind: "rsa",
        root: ca("QcomEkProvisioningRootCA", "Simulated Qualcomm EK Provisioning Root CA"),
        issuing: ca("QcomEkServiceSigningCA", "Simulated Qualcomm TPM Endorsement Key Service Signing CA"),
      },
    ],
    ekIssuerKind: { rsa: "rsa", ecc: "rsa" },
  }),
  defineVendor({
    code: "IBM",
    kind: "software",
    trustBundleFolder: "IBM",
    defaultModel: "swtpm",
    defaultFirmware: { major: 0x2019, minor: 0x1023 },
    organization: "International Business Machines Corporation",
    country: "US",
    hierarchies: [
      {
        kind: "rsa",
        root: ca("SwtpmLocalcaRootCA", "Simulated swtpm-localca Root CA"),
        issuing: ca("SwtpmLocalca", "Simulated swtpm-localca"),
      },
    ],
    ekIssuerKind: { rsa: "rsa", ecc: "rsa" },
  }),
]);

/** The vendor with this code (case-insensitive), or undefined. */
export function findVendor(code: string): VendorPkiIdentity | undefined {
  const wanted = code.trim().toUpperCase();
  return VENDORS.find((vendor) => vendor.code === wanted);
}

/** The vendor with this TCG vendor ID (TPM_PT_MANUFACTURER, SAN tpmManufacturer), or undefined. */
export function vendorByManufacturerId(id: number): VendorPkiIdentity | undefined {
  return VENDORS.find((vendor) => vendor.manufacturerId === id);
}
