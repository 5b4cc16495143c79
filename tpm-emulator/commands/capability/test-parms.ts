import { NO_RESPONSE, defineCommand } from "../registry.js";

/**
 * Part 3 §30.3 TPM2_TestParms: whether this TPM supports a set of object parameters. Everything it checks is
 * checked while the TPMT_PUBLIC_PARMS is unmarshalled, so reaching the handler means the parameters are supported.
 * RCs (from unmarshalling, parameter 1): TPM_RC_TYPE, TPM_RC_SYMMETRIC, TPM_RC_MODE, TPM_RC_VALUE (key sizes),
 * TPM_RC_CURVE, TPM_RC_SCHEME, TPM_RC_HASH, TPM_RC_KDF.
 */
export const testParms = defineCommand("TestParms", () => NO_RESPONSE);
