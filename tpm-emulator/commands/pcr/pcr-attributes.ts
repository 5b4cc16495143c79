/**
 * The PC Client PCR attributes (TCG PC Client Platform TPM Profile, Table "PCR Attributes"; the reference
 * implementation's `s_initAttributes`): which localities may extend or reset each PCR, which PCRs an orderly
 * Shutdown(STATE) saves, and which changes leave pcrUpdateCounter alone.
 */
import { TPM_PT_PCR } from "../../../tpm2/index.js";
import { PCR_COUNT } from "../../tpm.js";

interface PcrAttributes {
  stateSave: boolean;
  /** Bit n set: locality n may reset the PCR. */
  resetLocality: number;
  /** Bit n set: locality n may extend the PCR. */
  extendLocality: number;
}

const STATIC_RTM: PcrAttributes = { stateSave: true, resetLocality: 0x00, extendLocality: 0x1f };

const PCR_ATTRIBUTES: readonly PcrAttributes[] = [
  ...Array.from({ length: 16 }, () => STATIC_RTM),
  { stateSave: false, resetLocality: 0x0f, extendLocality: 0x1f }, // 16 debug
  { stateSave: false, resetLocality: 0x10, extendLocality: 0x1c }, // 17 DRTM, locality 4
  { stateSave: false, resetLocality: 0x10, extendLocality: 0x1c }, // 18 locality 3
  { stateSave: false, resetLocality: 0x10, extendLocality: 0x0c }, // 19 locality 2
  { stateSave: false, resetLocality: 0x14, extendLocality: 0x0e }, // 20 locality 1
  { stateSave: false, resetLocality: 0x14, extendLocality: 0x04 }, // 21 dynamic OS
  { stateSave: false, resetLocality: 0x14, extendLocality: 0x04 }, // 22 dynamic OS
  { stateSave: false, resetLocality: 0x0f, extendLocality: 0x1f }, // 23 application
];

/** The DRTM locality: a TPM that supports DRTM never lets locality 4 reset a PCR with TPM2_PCR_Reset. */
const DRTM_LOCALITY = 4;

function attributesOf(pcr: number): PcrAttributes {
  const a = PCR_ATTRIBUTES[pcr];
  if (!a) throw new RangeError(`PCR ${pcr} is not implemented`);
  return a;
}

/** Whether `locality` may extend PCR `pcr` (Part 3 §22.2: TPM_RC_LOCALITY otherwise). */
export function isExtendAllowed(pcr: number, locality: number): boolean {
  return (attributesOf(pcr).extendLocality & (1 << locality)) !== 0;
}

/** Whether `locality` may reset PCR `pcr` with TPM2_PCR_Reset (Part 3 §22.8). */
export function isResetAllowed(pcr: number, locality: number): boolean {
  if (locality === DRTM_LOCALITY) return false;
  return (attributesOf(pcr).resetLocality & (1 << locality)) !== 0;
}

/**
 * Whether a change to PCR `pcr` increments pcrUpdateCounter. The PC Client TCB group (16, 21–23) does not, so
 * that debug and dynamic-OS measurements do not invalidate PolicyPCR sessions (Part 1 §17.6.4).
 */
export function changeCountsAsUpdate(pcr: number): boolean {
  return !(pcr === 16 || (pcr >= 21 && pcr <= 23));
}

/** PCRs whose authorization may be a policy or an authValue (the PC Client group of PCR 20–22). */
function isInAuthGroup(pcr: number): boolean {
  return pcr >= 20 && pcr <= 22;
}

/** The PCRs with property `tag` (TPM_PT_PCR), or undefined when the property is not implemented. */
function pcrsWithProperty(tag: number): ((pcr: number) => boolean) | undefined {
  const localityBit = (locality: number) => 1 << locality;
  switch (tag) {
    case TPM_PT_PCR.SAVE:
      return (p) => attributesOf(p).stateSave;
    case TPM_PT_PCR.EXTEND_L0:
    case TPM_PT_PCR.EXTEND_L1:
    case TPM_PT_PCR.EXTEND_L2:
    case TPM_PT_PCR.EXTEND_L3:
    case TPM_PT_PCR.EXTEND_L4: {
      const bit = localityBit((tag - TPM_PT_PCR.EXTEND_L0) / 2);
      return (p) => (attributesOf(p).extendLocality & bit) !== 0;
    }
    case TPM_PT_PCR.RESET_L0:
    case TPM_PT_PCR.RESET_L1:
    case TPM_PT_PCR.RESET_L2:
    case TPM_PT_PCR.RESET_L3:
    case TPM_PT_PCR.RESET_L4: {
      const bit = localityBit((tag - TPM_PT_PCR.RESET_L0) / 2);
      return (p) => (attributesOf(p).resetLocality & bit) !== 0;
    }
    case TPM_PT_PCR.NO_INCREMENT:
      return (p) => !changeCountsAsUpdate(p);
    case TPM_PT_PCR.DRTM_RESET:
      return (p) => (attributesOf(p).resetLocality & localityBit(DRTM_LOCALITY)) !== 0;
    case TPM_PT_PCR.POLICY:
    case TPM_PT_PCR.AUTH:
      return isInAuthGroup;
    default:
      return undefined;
  }
}

/**
 * The TPMS_PCR_SELECT bitmap (3 octets, one bit per PCR) of the PCRs that have PCR property `tag`
 * (TPM2_GetCapability(TPM_CAP_PCR_PROPERTIES)); undefined when this TPM does not implement the property.
 */
export function pcrPropertySelect(tag: number): Buffer | undefined {
  const has = pcrsWithProperty(tag);
  if (!has) return undefined;
  const select = Buffer.alloc(Math.ceil(PCR_COUNT / 8));
  for (let pcr = 0; pcr < PCR_COUNT; pcr++) if (has(pcr)) select[pcr >> 3] = (select[pcr >> 3] ?? 0) | (1 << (pcr & 7));
  return select;
}

/** The last TPM_PT_PCR value this TPM knows (TPM_PT_PCR_LAST). */
export const TPM_PT_PCR_LAST = TPM_PT_PCR.AUTH;
