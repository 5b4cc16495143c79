import { TPM_CAP, TPM_HT, TPM_PT, TPM_RC, TPM_RH, type TPMS_CAPABILITY_DATA } from "../../../tpm2/index.js";
import {
  IMPLEMENTED_ALGORITHMS,
  IMPLEMENTED_CURVES,
  PT_GROUP,
  commandAttributes,
  tpmProperty,
} from "../../capabilities.js";
import type { Tpm } from "../../tpm.js";
// A cycle by design: the command list is the table this command is part of, read only when the command runs.
import { COMMAND_TABLE } from "../index.js";
import { auditedCommands } from "../audit/audit-state.js";
import { TPM_PT_PCR_LAST, pcrPropertySelect } from "../pcr/pcr-attributes.js";
import { pcrAllocation } from "../pcr/pcr-banks.js";
import { defineCommand, paramError } from "../registry.js";
import { handlesFrom } from "./handle-lists.js";
import { ENTRY_SIZE, maxEntries, page } from "./paging.js";

type CapabilityResult = { moreData: boolean; data: TPMS_CAPABILITY_DATA["data"] };

/** TPM_CAP_TPM_PROPERTIES: the defined properties of one group (fixed or variable) from `start` on. */
function tpmProperties(tpm: Tpm, start: number, count: number): CapabilityResult {
  const first = Math.max(start, TPM_PT.PT_FIXED);
  if (first >= TPM_PT.PT_VAR + PT_GROUP) return { moreData: false, data: [] };
  const groupEnd = Math.floor(first / PT_GROUP) * PT_GROUP + PT_GROUP;
  const defined: { property: number; value: number }[] = [];
  for (let property = first; property < groupEnd; property++) {
    const value = tpmProperty(tpm, property, COMMAND_TABLE.size);
    if (value !== undefined) defined.push({ property, value: value >>> 0 });
  }
  const { moreData, items } = page(defined, count, maxEntries(ENTRY_SIZE.taggedProperty));
  return { moreData, data: items };
}

/**
 * TPM_CAP_PCR_PROPERTIES: the reference scans TPM_PT_PCR values up to TPM_PT_PCR_LAST and reports moreData as
 * soon as the list is full while values remain, implemented or not.
 */
function pcrProperties(start: number, count: number): CapabilityResult {
  const limit = Math.min(count, maxEntries(ENTRY_SIZE.taggedPcrSelect));
  const data: { tag: number; pcrSelect: Uint8Array }[] = [];
  for (let tag = start; tag <= TPM_PT_PCR_LAST; tag++) {
    if (data.length >= limit) return { moreData: true, data };
    const pcrSelect = pcrPropertySelect(tag);
    if (pcrSelect) data.push({ tag, pcrSelect });
  }
  return { moreData: false, data };
}

/** TPM_CAP_AUTH_POLICIES: the authPolicy of each hierarchy with one (owner, lockout, endorsement, platform). */
function authPolicies(tpm: Tpm, start: number, count: number): CapabilityResult {
  if (start >>> 24 !== TPM_HT.PERMANENT) throw paramError(TPM_RC.VALUE, 2);
  const handles = [TPM_RH.OWNER, TPM_RH.LOCKOUT, TPM_RH.ENDORSEMENT, TPM_RH.PLATFORM].filter((h) => h >= start);
  const policies = handles.map((handle) => {
    const { alg, digest } = tpm.entityAuthPolicy(handle);
    return { handle, policyHash: { hashAlg: alg, digest } };
  });
  const { moreData, items } = page(policies, count, maxEntries(ENTRY_SIZE.taggedPolicy));
  return { moreData, data: items };
}

function capability(tpm: Tpm, cap: number, property: number, count: number): CapabilityResult {
  switch (cap) {
    case TPM_CAP.ALGS: {
      const algs = IMPLEMENTED_ALGORITHMS.filter((a) => a.alg >= property);
      const { moreData, items } = page(algs, count, maxEntries(ENTRY_SIZE.algProperty));
      return { moreData, data: items };
    }
    case TPM_CAP.HANDLES: {
      const { moreData, items } = page(handlesFrom(tpm, property), count, maxEntries(ENTRY_SIZE.handle));
      return { moreData, data: items };
    }
    case TPM_CAP.COMMANDS: {
      // Vendor commands (TPMA_CC.V) would follow the library commands; this TPM has none.
      const defs = [...COMMAND_TABLE.values()].map((e) => e.def).filter((d) => d.code >= property);
      const codes = defs.sort((a, b) => a.code - b.code).map(commandAttributes);
      const { moreData, items } = page(codes, count, maxEntries(ENTRY_SIZE.commandAttributes));
      return { moreData, data: items };
    }
    case TPM_CAP.PP_COMMANDS:
    case TPM_CAP.AUDIT_COMMANDS: {
      const listed = cap === TPM_CAP.PP_COMMANDS ? [...tpm.state.ppCommands].sort((a, b) => a - b) : auditedCommands(tpm);
      const { moreData, items } = page(listed.filter((cc) => cc >= property), count, maxEntries(ENTRY_SIZE.handle));
      return { moreData, data: items };
    }
    case TPM_CAP.PCRS:
      if (property !== 0) throw paramError(TPM_RC.VALUE, 2);
      return count === 0 ? { moreData: true, data: [] } : { moreData: false, data: pcrAllocation(tpm) };
    case TPM_CAP.TPM_PROPERTIES:
      return tpmProperties(tpm, property, count);
    case TPM_CAP.PCR_PROPERTIES:
      return pcrProperties(property, count);
    case TPM_CAP.ECC_CURVES: {
      const curves = IMPLEMENTED_CURVES.filter((c) => c >= property);
      const { moreData, items } = page(curves, count, maxEntries(ENTRY_SIZE.eccCurve));
      return { moreData, data: items };
    }
    case TPM_CAP.AUTH_POLICIES:
      return authPolicies(tpm, property, count);
    default:
      // TPM_CAP_ACT and TPM_CAP_VENDOR_PROPERTY included: no ACT and no vendor properties here
      throw paramError(TPM_RC.VALUE, 1);
  }
}

/**
 * Part 3 §30.2 TPM2_GetCapability: algorithms, handles, commands, PCR allocation and properties, TPM properties,
 * ECC curves and hierarchy policies, paged by `property` (where to start) and `propertyCount` (how many).
 * RCs: TPM_RC_VALUE (parameter 1: unknown capability; parameter 2: property of TPM_CAP_PCRS not 0, or of
 * TPM_CAP_AUTH_POLICIES not a permanent handle), TPM_RC_HANDLE (parameter 2: TPM_CAP_HANDLES of a handle type
 * without a list).
 */
export const getCapability = defineCommand("GetCapability", (tpm, { params }) => {
  const { capability: cap, property, propertyCount } = params;
  const { moreData, data } = capability(tpm, cap, property >>> 0, propertyCount >>> 0);
  return { response: { moreData, capabilityData: { capability: cap, data } } };
});
