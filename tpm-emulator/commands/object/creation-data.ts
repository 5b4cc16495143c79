/**
 * TPMS_CREATION_DATA and its hash (Part 2 §15.1, ms-tpm-20-ref FillInCreationData) for TPM2_Create and
 * TPM2_CreatePrimary.
 */
import {
  TPMS_CREATION_DATA,
  TPM_ALG,
  hashDigest,
  marshal,
  type TPML_PCR_SELECTION,
  type TPMS_CREATION_DATA as CreationData,
} from "../../../tpm2/index.js";
import { handleName, type TpmObject } from "../../objects.js";
import { PCR_COUNT, type Tpm } from "../../tpm.js";

/**
 * The selection with PCRs of unallocated banks and beyond PCR_COUNT removed, and the nameAlg digest of the
 * selected PCR values in selection order (ms-tpm-20-ref PCRComputeCurrentDigest with FilterPcr).
 */
export function selectedPcrDigest(
  tpm: Tpm,
  hashAlg: number,
  selection: TPML_PCR_SELECTION,
): { pcrSelect: TPML_PCR_SELECTION; pcrDigest: Buffer } {
  const values: Buffer[] = [];
  const pcrSelect = selection.map(({ hash, pcrSelect: bits }) => {
    const bank = tpm.pcrs.get(hash);
    const filtered = Buffer.alloc(bits.length);
    for (let pcr = 0; pcr < bits.length * 8; pcr++) {
      const selected = (bits[pcr >> 3]! & (1 << (pcr & 7))) !== 0;
      const value = bank?.[pcr];
      if (!selected || pcr >= PCR_COUNT || !value) continue;
      filtered[pcr >> 3] = filtered[pcr >> 3]! | (1 << (pcr & 7));
      values.push(value);
    }
    return { hash, pcrSelect: filtered };
  });
  return { pcrSelect, pcrDigest: hashDigest(hashAlg, ...values) };
}

/** TPMA_LOCALITY of a locality (Part 2 §8.5): one bit for 0–4, the value itself for extended localities. */
export function localityAttributes(locality: number): number {
  return locality < 5 ? 1 << locality : locality & 0xff;
}

/**
 * The creation data of an object and creationHash = H_nameAlg(TPMS_CREATION_DATA).
 * @param parent the parent object, or undefined for a primary object (whose parent Name is the hierarchy handle).
 */
export function fillCreationData(
  tpm: Tpm,
  parentHandle: number,
  parent: TpmObject | undefined,
  nameAlg: number,
  creationPCR: TPML_PCR_SELECTION,
  outsideInfo: Uint8Array,
): { creationData: CreationData; creationHash: Buffer } {
  const { pcrSelect, pcrDigest } = selectedPcrDigest(tpm, nameAlg, creationPCR);
  const creationData: CreationData = {
    pcrSelect,
    pcrDigest,
    locality: localityAttributes(tpm.locality),
    parentNameAlg: parent ? parent.publicArea.nameAlg : TPM_ALG.NULL,
    parentName: parent ? parent.name : handleName(parentHandle),
    parentQualifiedName: parent ? parent.qualifiedName : handleName(parentHandle),
    outsideInfo,
  };
  return { creationData, creationHash: hashDigest(nameAlg, marshal(TPMS_CREATION_DATA, creationData)) };
}
