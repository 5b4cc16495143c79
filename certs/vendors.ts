import type { KeyKind } from "./signing-key.js";

/** The simulated TPM vendors, by TCG vendor ID code. */
export type VendorCode = "IFX" | "STM" | "NTC" | "INTC" | "AMD" | "QCOM";

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
}

/** Marks every CA subject: these CAs are simulations and never claim to be the vendor's real CA. */
export const SIMULATED_UNIT = "apsim simulated PKI - not a real CA";

interface VendorDefinition {
  readonly code: VendorCode;
  readonly organization: string;
  readonly country: string;
  readonly hierarchies: readonly VendorCaHierarchy[];
  readonly ekIssuerKind: Readonly<Record<KeyKind, KeyKind>>;
}

/** TCG Vendor ID registry: the 4-character code as a big-endian uint32, padded as registered. */
const MANUFACTURER_IDS: Readonly<Record<VendorCode, number>> = {
  IFX: 0x49465800,
  STM: 0x53544d20,
  NTC: 0x4e544300,
  INTC: 0x494e5443,
  AMD: 0x414d4400,
  QCOM: 0x51434f4d,
};

function defineVendor(definition: VendorDefinition): VendorPkiIdentity {
  return Object.freeze({
    code: definition.code,
    manufacturerId: MANUFACTURER_IDS[definition.code],
    organization: definition.organization,
    country: definition.country,
    host: `pki.${definition.code.toLowerCase()}.vendors.apsim.test`,
    ekCaKinds: Object.freeze(definition.hierarchies.map((hierarchy) => hierarchy.kind)),
    ekIssuerKind: Object.freeze({ ...definition.ekIssuerKind }),
    hierarchies: Object.freeze([...definition.hierarchies]),
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
 */
export const VENDORS: readonly VendorPkiIdentity[] = Object.freeze([
  defineVendor({
    code: "IFX",
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
