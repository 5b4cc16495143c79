import { TPM_RC, TPM_RH, TpmError } from "../../../tpm2/index.js";
import { adjustAuthSize, createChecks, derivePrimaryObject } from "../../object-create.js";
import { creationTicket } from "../../tickets.js";
import { defineCommand, handleError } from "../registry.js";
import { blame } from "./blame.js";
import { fillCreationData } from "./creation-data.js";

/** TPMI_RH_HIERARCHY+ (Part 2): the hierarchies a primary object can belong to. */
const HIERARCHIES: ReadonlySet<number> = new Set([TPM_RH.OWNER, TPM_RH.ENDORSEMENT, TPM_RH.PLATFORM, TPM_RH.NULL]);

/**
 * Part 3 §24.1 TPM2_CreatePrimary: a primary object derived from the hierarchy's seed and the template (unique
 * included) and loaded; with its creation data and ticket.
 * RCs: TPM_RC_VALUE (handle 1 not a hierarchy), TPM_RC_OBJECT_MEMORY, TPM_RC_ATTRIBUTES / TPM_RC_HASH /
 * TPM_RC_SCHEME / TPM_RC_SYMMETRIC / TPM_RC_KDF / TPM_RC_SIZE (inPublic), TPM_RC_SIZE (inSensitive userAuth),
 * TPM_RC_RANGE (RSA exponent), TPM_RC_KEY_SIZE, TPM_RC_SIZE (sensitive data of the wrong size).
 */
export const createPrimary = defineCommand("CreatePrimary", (tpm, { handles, params }) => {
  const primaryHandle = handles[0]!;
  if (!HIERARCHIES.has(primaryHandle)) throw handleError(TPM_RC.VALUE, 1);
  if (tpm.objects.free === 0) throw new TpmError(TPM_RC.OBJECT_MEMORY);
  const { inSensitive, inPublic, outsideInfo, creationPCR } = params;
  blame(2, () => createChecks(undefined, inPublic, inSensitive.data.length));
  const userAuth = blame(1, () => adjustAuthSize(inSensitive.userAuth, inPublic.nameAlg));

  const object = derivePrimaryObject(tpm, primaryHandle, inPublic, userAuth, inSensitive.data);
  const { creationData, creationHash } = fillCreationData(
    tpm,
    primaryHandle,
    undefined,
    inPublic.nameAlg,
    creationPCR,
    outsideInfo,
  );
  const ticket = creationTicket(tpm, primaryHandle, creationHash, object.name);
  const handle = tpm.objects.add(object);
  return {
    handle,
    response: { outPublic: object.publicArea, creationData, creationHash, creationTicket: ticket, name: object.name },
  };
});
