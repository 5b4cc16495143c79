/**
 * The hardware catalogue: a few OEM models and the SMBIOS shapes their firmware reports, as data. A device
 * is generated from one model (device-model.ts). Edge models exist on purpose — no TPM, a TPM 1.2, a
 * virtual machine, Windows 11 SE — and are made only when asked for by name.
 */

/** Where a model's TPM comes from. */
export type TpmPart =
  /** A TPM 2.0 from one of these vendors (the emulator's vendor codes). */
  | { readonly kind: "tpm20"; readonly vendors: readonly string[] }
  /** A TPM 1.2 part (emulated by a TPM that answers TPM 2.0 commands as a 1.2 part does). */
  | { readonly kind: "tpm12"; readonly vendors: readonly string[] }
  /** A hypervisor's virtual TPM: any vendor code is accepted, the TPM reports Microsoft's identity. */
  | { readonly kind: "virtual" }
  /** No TPM (absent, or switched off in firmware). */
  | { readonly kind: "none" };

/** Windows as shipped on the model. */
export interface OsChoice {
  /** Marketing name: "Windows 11 Pro". */
  readonly edition: string;
  /** Registry EditionID: Professional, Enterprise, Education, CloudEdition (Windows 11 SE). */
  readonly editionId: string;
  readonly major: number;
  readonly minor: number;
  readonly build: number;
  readonly revision: number;
}

/** One processor option. */
export interface CpuChoice {
  readonly brand: string;
  readonly cores: number;
  readonly logicalProcessors: number;
}

/** One system disk option (`busType`: STORAGE_BUS_TYPE, 10 SAS, 11 SATA, 13 MMC, 17 NVMe). */
export interface DiskChoice {
  readonly vendor: string;
  readonly model: string;
  readonly sizeGb: number;
  readonly busType: number;
}

/**
 * A model. Patterns (`serialFormat`, `disk.serialFormat`, `productKeyPartNumber`): `#` a digit, `@` an upper-case
 * letter, `?` a digit or upper-case letter, anything else literal.
 */
export interface HardwareModel {
  readonly id: string;
  readonly description: string;
  /** Edge models are made only when named (`--model`), never picked at random. */
  readonly edge: boolean;
  readonly smbios: {
    readonly manufacturer: string;
    readonly productName: string;
    readonly family: string;
    readonly version: string;
    readonly biosVendor: string;
    readonly skus: readonly string[];
    readonly serialFormat: string;
    readonly baseboard: { readonly manufacturer: string; readonly product: string; readonly version: string };
  };
  /** SMBIOS chassis type, POWER_PLATFORM_ROLE, and whether the machine is a virtual one. */
  readonly chassis: { readonly type: number; readonly platformRole: number; readonly virtualMachine: boolean };
  /** CPUID vendor string and PROCESSOR_ARCHITECTURE_* (9 AMD64, 12 ARM64). */
  readonly cpu: { readonly vendor: string; readonly architecture: number; readonly options: readonly CpuChoice[] };
  readonly memory: { readonly optionsGb: readonly number[]; readonly maxCapacityGb: number; readonly slots: number };
  readonly disk: { readonly options: readonly DiskChoice[]; readonly serialFormat: string };
  /** Network adapters: the bus and the manufacturer's OUI (the MAC's first three bytes). */
  readonly nics: readonly { readonly bus: string; readonly oui: string }[];
  /** `outputTechnology`: D3DKMDT_VIDEO_OUTPUT_TECHNOLOGY of the main display (0x80000000 internal panel). */
  readonly display: {
    readonly widthMm: number;
    readonly heightMm: number;
    readonly horizontalPixels: number;
    readonly verticalPixels: number;
    readonly outputTechnology: number;
  };
  readonly os: readonly OsChoice[];
  /** OA3 product key part number pattern; absent when the firmware holds no product key (virtual machines). */
  readonly productKeyPartNumber?: string;
  readonly tpm: TpmPart;
}

const INTERNAL_PANEL = 0x80000000;
const DISPLAYPORT_EXTERNAL = 10;
const UNINITIALIZED_OUTPUT = 0xffffffff;
const AMD64 = 9;
const ARM64 = 12;
const NVME = 17;
const CHASSIS_DESKTOP = 3;
const CHASSIS_LAPTOP = 9;
const CHASSIS_NOTEBOOK = 10;
const ROLE_DESKTOP = 1;
const ROLE_MOBILE = 2;

const WINDOWS_11_PRO: OsChoice = { edition: "Windows 11 Pro", editionId: "Professional", major: 10, minor: 0, build: 22631, revision: 4460 };
const WINDOWS_11_PRO_24H2: OsChoice = { edition: "Windows 11 Pro", editionId: "Professional", major: 10, minor: 0, build: 26100, revision: 2605 };
const WINDOWS_11_ENTERPRISE: OsChoice = {
  edition: "Windows 11 Enterprise",
  editionId: "Enterprise",
  major: 10,
  minor: 0,
  build: 26100,
  revision: 2605,
};
const WINDOWS_10_PRO: OsChoice = { edition: "Windows 10 Pro", editionId: "Professional", major: 10, minor: 0, build: 19045, revision: 5247 };
const WINDOWS_11_SE: OsChoice = { edition: "Windows 11 SE", editionId: "CloudEdition", major: 10, minor: 0, build: 22631, revision: 4460 };

/** Discrete TPM makers and the firmware TPM of the CPU's maker. */
const INTEL_MACHINE_TPMS = ["IFX", "STM", "NTC", "INTC"];
const AMD_MACHINE_TPMS = ["AMD", "STM", "NTC"];

/** Every model, ordinary ones first. */
export const HARDWARE_CATALOGUE: readonly HardwareModel[] = Object.freeze([
  {
    id: "hp-elitebook-840-g10",
    description: "HP EliteBook 840 G10 notebook (Intel)",
    edge: false,
    smbios: {
      manufacturer: "HP",
      productName: "HP EliteBook 840 14 inch G10 Notebook PC",
      family: "103C_5336AN HP EliteBook",
      version: " ",
      biosVendor: "HP",
      skus: ["7L7X4UT#ABA", "818K6EA#ABD", "8A3M1EA#ABU"],
      serialFormat: "5CG###@??#",
      baseboard: { manufacturer: "HP", product: "8B41", version: "KBC Version 17.3F.00" },
    },
    chassis: { type: CHASSIS_NOTEBOOK, platformRole: ROLE_MOBILE, virtualMachine: false },
    cpu: {
      vendor: "GenuineIntel",
      architecture: AMD64,
      options: [
        { brand: "13th Gen Intel(R) Core(TM) i5-1345U", cores: 10, logicalProcessors: 12 },
        { brand: "13th Gen Intel(R) Core(TM) i7-1365U", cores: 10, logicalProcessors: 12 },
      ],
    },
    memory: { optionsGb: [16, 32], maxCapacityGb: 64, slots: 2 },
    disk: {
      options: [
        { vendor: "", model: "SAMSUNG MZVL4512HBLU-00BH1", sizeGb: 512, busType: NVME },
        { vendor: "", model: "KXG80ZNV1T02 KIOXIA", sizeGb: 1024, busType: NVME },
      ],
      serialFormat: "0025_38##_####_####.",
    },
    nics: [
      { bus: "PCI", oui: "8c:17:59" },
      { bus: "BTH", oui: "8c:17:59" },
    ],
    display: { widthMm: 302, heightMm: 188, horizontalPixels: 1920, verticalPixels: 1200, outputTechnology: INTERNAL_PANEL },
    os: [WINDOWS_11_PRO, WINDOWS_11_ENTERPRISE],
    productKeyPartNumber: "[TH]X22-#####",
    tpm: { kind: "tpm20", vendors: INTEL_MACHINE_TPMS },
  },
  {
    id: "dell-latitude-7440",
    description: "Dell Latitude 7440 notebook (Intel)",
    edge: false,
    smbios: {
      manufacturer: "Dell Inc.",
      productName: "Latitude 7440",
      family: "Latitude",
      version: "",
      biosVendor: "Dell Inc.",
      skus: ["0C0A", "0C0B"],
      serialFormat: "???##@#",
      baseboard: { manufacturer: "Dell Inc.", product: "0PXJ3W", version: "A00" },
    },
    chassis: { type: CHASSIS_NOTEBOOK, platformRole: ROLE_MOBILE, virtualMachine: false },
    cpu: {
      vendor: "GenuineIntel",
      architecture: AMD64,
      options: [
        { brand: "13th Gen Intel(R) Core(TM) i5-1345U", cores: 10, logicalProcessors: 12 },
        { brand: "13th Gen Intel(R) Core(TM) i7-1365U", cores: 10, logicalProcessors: 12 },
      ],
    },
    memory: { optionsGb: [16, 32], maxCapacityGb: 32, slots: 1 },
    disk: {
      options: [
        { vendor: "", model: "KBG50ZNS512G NVMe KIOXIA 512GB", sizeGb: 512, busType: NVME },
        { vendor: "", model: "PM9B1 NVMe Samsung 512GB", sizeGb: 512, busType: NVME },
      ],
      serialFormat: "8CE3_8E10_####_####.",
    },
    nics: [
      { bus: "PCI", oui: "f4:a8:0d" },
      { bus: "BTH", oui: "f4:a8:0d" },
    ],
    display: { widthMm: 301, heightMm: 188, horizontalPixels: 1920, verticalPixels: 1200, outputTechnology: INTERNAL_PANEL },
    os: [WINDOWS_11_PRO, WINDOWS_11_PRO_24H2],
    productKeyPartNumber: "[TH]X22-#####",
    tpm: { kind: "tpm20", vendors: ["NTC", "STM", "INTC"] },
  },
  {
    id: "lenovo-thinkpad-t14s-gen4-amd",
    description: "Lenovo ThinkPad T14s Gen 4 (AMD)",
    edge: false,
    smbios: {
      manufacturer: "LENOVO",
      productName: "21F8CTO1WW",
      family: "ThinkPad T14s Gen 4",
      version: "ThinkPad T14s Gen 4",
      biosVendor: "LENOVO",
      skus: ["LENOVO_MT_21F8_BU_Think_FM_ThinkPad T14s Gen 4"],
      serialFormat: "PF4?????",
      baseboard: { manufacturer: "LENOVO", product: "21F8CTO1WW", version: "SDK0T76463 WIN" },
    },
    chassis: { type: CHASSIS_NOTEBOOK, platformRole: ROLE_MOBILE, virtualMachine: false },
    cpu: {
      vendor: "AuthenticAMD",
      architecture: AMD64,
      options: [
        { brand: "AMD Ryzen 5 PRO 7540U w/ Radeon 740M Graphics", cores: 6, logicalProcessors: 12 },
        { brand: "AMD Ryzen 7 PRO 7840U w/ Radeon 780M Graphics", cores: 8, logicalProcessors: 16 },
      ],
    },
    memory: { optionsGb: [16, 32], maxCapacityGb: 32, slots: 1 },
    disk: {
      options: [{ vendor: "", model: "SAMSUNG MZAL8512HDLU-00BL2", sizeGb: 512, busType: NVME }],
      serialFormat: "0025_3881_####_####.",
    },
    nics: [
      { bus: "PCI", oui: "c8:a3:62" },
      { bus: "BTH", oui: "c8:a3:62" },
    ],
    display: { widthMm: 302, heightMm: 188, horizontalPixels: 1920, verticalPixels: 1200, outputTechnology: INTERNAL_PANEL },
    os: [WINDOWS_11_PRO, WINDOWS_11_ENTERPRISE],
    productKeyPartNumber: "[TH]X22-#####",
    tpm: { kind: "tpm20", vendors: AMD_MACHINE_TPMS },
  },
  {
    id: "microsoft-surface-laptop-5",
    description: "Microsoft Surface Laptop 5 (Intel)",
    edge: false,
    smbios: {
      manufacturer: "Microsoft Corporation",
      productName: "Surface Laptop 5",
      family: "Surface",
      version: "124I:00071T:000M:0300000D:11000008:3X:10X",
      biosVendor: "Microsoft Corporation",
      skus: ["Surface_Laptop_5_1950"],
      serialFormat: "0##########@",
      baseboard: { manufacturer: "Microsoft Corporation", product: "Surface Laptop 5", version: "" },
    },
    chassis: { type: CHASSIS_LAPTOP, platformRole: ROLE_MOBILE, virtualMachine: false },
    cpu: {
      vendor: "GenuineIntel",
      architecture: AMD64,
      options: [{ brand: "12th Gen Intel(R) Core(TM) i5-1245U", cores: 10, logicalProcessors: 12 }],
    },
    memory: { optionsGb: [8, 16], maxCapacityGb: 16, slots: 1 },
    disk: { options: [{ vendor: "", model: "SAMSUNG MZ9L4256HCHQ-00BMV", sizeGb: 256, busType: NVME }], serialFormat: "0025_3884_####_####." },
    nics: [
      { bus: "PCI", oui: "28:16:a8" },
      { bus: "BTH", oui: "28:16:a8" },
    ],
    display: { widthMm: 290, heightMm: 193, horizontalPixels: 2256, verticalPixels: 1504, outputTechnology: INTERNAL_PANEL },
    os: [WINDOWS_11_PRO],
    productKeyPartNumber: "[TH]X22-#####",
    tpm: { kind: "tpm20", vendors: ["INTC", "IFX"] },
  },
  {
    id: "dell-optiplex-7010",
    description: "Dell OptiPlex 7010 desktop (Intel), wired network, external monitor",
    edge: false,
    smbios: {
      manufacturer: "Dell Inc.",
      productName: "OptiPlex 7010",
      family: "OptiPlex",
      version: "",
      biosVendor: "Dell Inc.",
      skus: ["0BFA"],
      serialFormat: "???##@#",
      baseboard: { manufacturer: "Dell Inc.", product: "0WCXP7", version: "A00" },
    },
    chassis: { type: CHASSIS_DESKTOP, platformRole: ROLE_DESKTOP, virtualMachine: false },
    cpu: {
      vendor: "GenuineIntel",
      architecture: AMD64,
      options: [{ brand: "13th Gen Intel(R) Core(TM) i5-13500", cores: 14, logicalProcessors: 20 }],
    },
    memory: { optionsGb: [8, 16, 32], maxCapacityGb: 64, slots: 2 },
    disk: { options: [{ vendor: "", model: "BC901 NVMe SK hynix 512GB", sizeGb: 512, busType: NVME }], serialFormat: "ACE4_2E00_####_####." },
    nics: [{ bus: "PCI", oui: "a4:bb:6d" }],
    display: { widthMm: 527, heightMm: 296, horizontalPixels: 1920, verticalPixels: 1080, outputTechnology: DISPLAYPORT_EXTERNAL },
    os: [WINDOWS_11_PRO, WINDOWS_11_ENTERPRISE],
    productKeyPartNumber: "[TH]X22-#####",
    tpm: { kind: "tpm20", vendors: ["NTC", "STM", "INTC"] },
  },
  {
    id: "lenovo-thinkpad-x13s",
    description: "Lenovo ThinkPad X13s (Qualcomm Snapdragon, ARM64)",
    edge: false,
    smbios: {
      manufacturer: "LENOVO",
      productName: "21BXCTO1WW",
      family: "ThinkPad X13s Gen 1",
      version: "ThinkPad X13s Gen 1",
      biosVendor: "LENOVO",
      skus: ["LENOVO_MT_21BX_BU_Think_FM_ThinkPad X13s Gen 1"],
      serialFormat: "PF3?????",
      baseboard: { manufacturer: "LENOVO", product: "21BXCTO1WW", version: "SDK0T76538 WIN" },
    },
    chassis: { type: CHASSIS_NOTEBOOK, platformRole: ROLE_MOBILE, virtualMachine: false },
    cpu: {
      vendor: "Qualcomm Technologies Inc",
      architecture: ARM64,
      options: [{ brand: "Snapdragon (TM) 8cx Gen 3 @ 3.0 GHz", cores: 8, logicalProcessors: 8 }],
    },
    memory: { optionsGb: [16, 32], maxCapacityGb: 32, slots: 1 },
    disk: { options: [{ vendor: "", model: "SAMSUNG MZ9L4512HBLU-00BL7", sizeGb: 512, busType: NVME }], serialFormat: "0025_3883_####_####." },
    nics: [
      { bus: "PCI", oui: "38:7a:0e" },
      { bus: "BTH", oui: "38:7a:0e" },
    ],
    display: { widthMm: 286, heightMm: 179, horizontalPixels: 1920, verticalPixels: 1200, outputTechnology: INTERNAL_PANEL },
    os: [WINDOWS_11_PRO],
    productKeyPartNumber: "[TH]X22-#####",
    tpm: { kind: "tpm20", vendors: ["QCOM"] },
  },
  {
    id: "custom-desktop-no-tpm",
    description: "edge: a self-built desktop whose firmware TPM is switched off (no TPM at all)",
    edge: true,
    smbios: {
      manufacturer: "Micro-Star International Co., Ltd.",
      productName: "MS-7D25",
      family: "PRO Series",
      version: "1.0",
      biosVendor: "American Megatrends International, LLC.",
      skus: ["7D25-001R"],
      serialFormat: "7D25##@#####",
      baseboard: { manufacturer: "Micro-Star International Co., Ltd.", product: "PRO B660M-A WIFI DDR4 (MS-7D25)", version: "1.0" },
    },
    chassis: { type: CHASSIS_DESKTOP, platformRole: ROLE_DESKTOP, virtualMachine: false },
    cpu: {
      vendor: "GenuineIntel",
      architecture: AMD64,
      options: [{ brand: "12th Gen Intel(R) Core(TM) i5-12400", cores: 6, logicalProcessors: 12 }],
    },
    memory: { optionsGb: [16, 32], maxCapacityGb: 128, slots: 4 },
    disk: { options: [{ vendor: "", model: "WD Blue SN570 1TB", sizeGb: 1000, busType: NVME }], serialFormat: "E823_8FA6_BF53_0001_001B_448B_####_####." },
    nics: [
      { bus: "PCI", oui: "04:7c:16" },
      { bus: "PCI", oui: "f4:b3:01" },
    ],
    display: { widthMm: 598, heightMm: 336, horizontalPixels: 2560, verticalPixels: 1440, outputTechnology: DISPLAYPORT_EXTERNAL },
    os: [WINDOWS_11_PRO],
    productKeyPartNumber: "[TH]X22-#####",
    tpm: { kind: "none" },
  },
  {
    id: "hp-elitebook-840-g2-tpm12",
    description: "edge: a 2015 HP EliteBook 840 G2 whose TPM is a 1.2 part",
    edge: true,
    smbios: {
      manufacturer: "Hewlett-Packard",
      productName: "HP EliteBook 840 G2",
      family: "103C_5336AN G=N L=BUS B=HP S=ELI",
      version: "A3009DD10303",
      biosVendor: "Hewlett-Packard",
      skus: ["L8T61ET#ABD"],
      serialFormat: "5CG####@??",
      baseboard: { manufacturer: "Hewlett-Packard", product: "2216", version: "KBC Version 96.5B" },
    },
    chassis: { type: CHASSIS_NOTEBOOK, platformRole: ROLE_MOBILE, virtualMachine: false },
    cpu: {
      vendor: "GenuineIntel",
      architecture: AMD64,
      options: [{ brand: "Intel(R) Core(TM) i5-5300U CPU @ 2.30GHz", cores: 2, logicalProcessors: 4 }],
    },
    memory: { optionsGb: [8], maxCapacityGb: 16, slots: 2 },
    disk: { options: [{ vendor: "", model: "SAMSUNG MZ7LN256HCHP-000H1", sizeGb: 256, busType: 11 }], serialFormat: "S20UNX0H######" },
    nics: [
      { bus: "PCI", oui: "64:51:06" },
      { bus: "PCI", oui: "5c:51:4f" },
      { bus: "BTH", oui: "5c:51:4f" },
    ],
    display: { widthMm: 309, heightMm: 174, horizontalPixels: 1920, verticalPixels: 1080, outputTechnology: INTERNAL_PANEL },
    os: [WINDOWS_10_PRO],
    productKeyPartNumber: "[TH]X19-#####",
    tpm: { kind: "tpm12", vendors: ["IFX", "STM", "NTC"] },
  },
  {
    id: "hyperv-vm",
    description: "edge: a Hyper-V generation 2 virtual machine with a virtual TPM",
    edge: true,
    smbios: {
      manufacturer: "Microsoft Corporation",
      productName: "Virtual Machine",
      family: "Virtual Machine",
      version: "Hyper-V UEFI Release v4.1",
      biosVendor: "Microsoft Corporation",
      skus: ["None"],
      serialFormat: "####-####-####-####-####-####-##",
      baseboard: { manufacturer: "Microsoft Corporation", product: "Virtual Machine", version: "Hyper-V UEFI Release v4.1" },
    },
    chassis: { type: CHASSIS_DESKTOP, platformRole: ROLE_DESKTOP, virtualMachine: true },
    cpu: {
      vendor: "GenuineIntel",
      architecture: AMD64,
      options: [{ brand: "Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz", cores: 2, logicalProcessors: 4 }],
    },
    memory: { optionsGb: [4, 8], maxCapacityGb: 2048, slots: 2 },
    // Hyper-V's synthetic disk reports no serial number, a padded model and vendor.
    disk: { options: [{ vendor: "Msft    ", model: "Virtual Disk    ", sizeGb: 136, busType: 10 }], serialFormat: "" },
    nics: [{ bus: "VMBUS", oui: "00:15:5d" }],
    display: { widthMm: 0, heightMm: 0, horizontalPixels: 1024, verticalPixels: 768, outputTechnology: UNINITIALIZED_OUTPUT },
    os: [WINDOWS_11_ENTERPRISE],
    tpm: { kind: "virtual" },
  },
  {
    id: "surface-laptop-se",
    description: "edge: Microsoft Surface Laptop SE running Windows 11 SE (education, managed only)",
    edge: true,
    smbios: {
      manufacturer: "Microsoft Corporation",
      productName: "Surface Laptop SE",
      family: "Surface",
      version: "124I:00037T:000M:0300000D:3X:6F",
      biosVendor: "Microsoft Corporation",
      skus: ["Surface_Laptop_SE_1873"],
      serialFormat: "0##########@",
      baseboard: { manufacturer: "Microsoft Corporation", product: "Surface Laptop SE", version: "" },
    },
    chassis: { type: CHASSIS_LAPTOP, platformRole: ROLE_MOBILE, virtualMachine: false },
    cpu: {
      vendor: "GenuineIntel",
      architecture: AMD64,
      options: [
        { brand: "Intel(R) Celeron(R) N4020 CPU @ 1.10GHz", cores: 2, logicalProcessors: 2 },
        { brand: "Intel(R) Celeron(R) N4120 CPU @ 1.10GHz", cores: 4, logicalProcessors: 4 },
      ],
    },
    memory: { optionsGb: [4, 8], maxCapacityGb: 8, slots: 1 },
    disk: {
      options: [
        { vendor: "", model: "BJTD4R", sizeGb: 64, busType: 13 },
        { vendor: "", model: "DA4128", sizeGb: 128, busType: 13 },
      ],
      serialFormat: "0x########",
    },
    nics: [
      { bus: "PCI", oui: "28:16:a8" },
      { bus: "BTH", oui: "28:16:a8" },
    ],
    display: { widthMm: 256, heightMm: 144, horizontalPixels: 1366, verticalPixels: 768, outputTechnology: INTERNAL_PANEL },
    os: [WINDOWS_11_SE],
    productKeyPartNumber: "[TH]X22-#####",
    tpm: { kind: "tpm20", vendors: ["INTC", "IFX"] },
  },
] satisfies HardwareModel[]);

/** The model with this id, or undefined. */
export function findHardwareModel(id: string): HardwareModel | undefined {
  return HARDWARE_CATALOGUE.find((m) => m.id === id);
}

/** The ordinary (non-edge) models a TPM vendor fits into. */
export function modelsForVendor(vendor: string): HardwareModel[] {
  const code = vendor.toUpperCase();
  return HARDWARE_CATALOGUE.filter((m) => !m.edge && m.tpm.kind === "tpm20" && m.tpm.vendors.includes(code));
}
