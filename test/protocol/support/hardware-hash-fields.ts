/** A complete set of hash fields for a made-up notebook, shared by the hardware hash specs. */
import { createHash } from "node:crypto";
import type { HardwareHashFields } from "../../../protocol/index.js";

const EK_MODULUS = createHash("sha512").update("test EK").digest("hex").repeat(4);

export const NOTEBOOK_FIELDS: HardwareHashFields = Object.freeze({
  osVersion: {
    minorVersion: 0,
    majorVersion: 10,
    revision: 4460,
    build: 22631,
    minorVersion2: 0,
    majorVersion2: 10,
    revision2: 4460,
    build2: 22631,
    unidentified: "0102030405060708",
  },
  processorTopology: { architecture: 9, packages: 1, cores: 4, logicalProcessors: 8, unidentified1: 1, unidentified2: 0 },
  memory: { totalGb: 16, maxCapacityGb: 64, slots: 2, populatedSlots: 1, unidentified: 3 },
  processorManufacturer: "GenuineIntel",
  processorModel: "Intel(R) Core(TM) i5-8250U CPU @ 1.60GHz",
  diskSize: { sizeGb: 512, busType: 17, unidentified1: 0, unidentified2: 1 },
  diskDevice: { serialNumber: "0000_1111_2222_3333.", model: "TEST NVME 512", vendor: "" },
  networkAdapters: [
    { index: 9, mac: "02:00:5e:10:00:01", bus: "PCI" },
    { index: 10, mac: "02:00:5e:10:00:02", bus: "BTH" },
  ],
  display: { widthMm: 344, heightMm: 193, horizontalPixels: 1920, verticalPixels: 1080, outputTechnology: 0x80000000 },
  displaySizeCm: { widthCm: 34, heightCm: 19 },
  chassis: { chassisType: 10, platformRole: 2, virtualMachine: 0, unidentified: 0 },
  tpmVersion: "TPM-Version:2.0 -Level:0-Revision:1.59-VendorID:'IFX '-Firmware:1048586.274432",
  ekPublic: EK_MODULUS,
  ekPubHash: createHash("sha256").update(Buffer.from(EK_MODULUS, "hex")).digest("hex"),
  smbiosUuid: "7f1f3c20-3a62-43c7-af48-526beae5fa71",
  smbiosSystemSerialNumber: "TEST0001",
  smbiosSystemManufacturer: "Contoso",
  smbiosBiosVendor: "Contoso",
  smbiosSystemProductName: "Contoso Book 14",
  smbiosSkuNumber: "CB14-0001",
  smbiosSystemFamily: "Contoso Book",
  smbiosSystemVersion: " ",
  smbiosBaseboardManufacturer: "Contoso",
  smbiosBaseboardProduct: "B14",
  smbiosBaseboardVersion: "A01",
  productKeyId: "3305016087943",
  productKeyPartNumber: "[TH]X22-12345",
  diskSerialNumber: { serialNumber: "0000_1111_2222_3333.", model: "TEST NVME 512", vendor: "" },
});
