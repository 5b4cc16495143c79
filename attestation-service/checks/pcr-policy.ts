import { ProtocolError, type PcrValue } from "../../protocol/index.js";

/** What one PCR must hold: any of `values`. */
export interface PcrExpectation {
  /** TPM_ALG_ID of the bank. */
  readonly hashAlg: number;
  readonly index: number;
  readonly values: readonly Uint8Array[];
}

/** The PCR policy of the service: expected values per PCR (an option; none by default). */
export type PcrPolicy = readonly PcrExpectation[];

/**
 * The quoted (already digest-checked) PCR values must satisfy the policy: each PCR it names is reported and holds
 * one of its allowed values.
 * @throws ProtocolError PCR_POLICY_VIOLATION
 */
export function checkPcrPolicy(values: readonly PcrValue[], policy: PcrPolicy): void {
  for (const expectation of policy) {
    const reported = values.find((value) => value.hashAlg === expectation.hashAlg && value.index === expectation.index);
    const where = `PCR ${expectation.index} of bank 0x${expectation.hashAlg.toString(16)}`;
    if (reported === undefined) throw new ProtocolError("PCR_POLICY_VIOLATION", `${where} is not reported`);
    if (!expectation.values.some((allowed) => Buffer.from(allowed).equals(Buffer.from(reported.value)))) {
      throw new ProtocolError("PCR_POLICY_VIOLATION", `${where} holds ${Buffer.from(reported.value).toString("hex")}`);
    }
  }
}
