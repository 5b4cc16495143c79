import { TpmError } from "../../../tpm2/index.js";

/**
 * Runs `check` and attributes a TpmError it throws to parameter `n`, unless it already names a handle, parameter
 * or session (ms-tpm-20-ref RcSafeAddToResult). Format-zero codes stay without a number on the wire.
 */
export function blame<T>(n: number, check: () => T): T {
  try {
    return check();
  } catch (e) {
    if (e instanceof TpmError) e.at("parameter", n);
    throw e;
  }
}
