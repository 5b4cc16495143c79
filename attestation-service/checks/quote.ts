import { ProtocolError, type PcrValue } from "../../protocol/index.js";
import {
  AttestVerificationError,
  TPM_ALG,
  TPML_PCR_SELECTION,
  digestSize,
  hashDigest,
  isHashAlg,
  marshal,
  verifyQuote,
  type TPML_PCR_SELECTION as PcrSelection,
  type TPMS_ATTEST,
  type TPMT_PUBLIC,
  type TPMT_SIGNATURE,
} from "../../tpm2/index.js";

/** The proof's quote as received. */
export interface QuoteEvidence {
  readonly akPublic: TPMT_PUBLIC;
  /** TPMS_ATTEST bytes exactly as signed. */
  readonly attestBytes: Uint8Array;
  readonly signature: TPMT_SIGNATURE;
  /** The session's nonce. */
  readonly nonce: Uint8Array;
  /** The PCR selection the session asked for. */
  readonly selection: PcrSelection;
  /** The PCR values the device reports beside the quote. */
  readonly pcrValues: readonly PcrValue[];
}

/** The (bank, index) pairs of a selection in the order TPM2_Quote hashes them (Part 1 §17.6.3: list order, then bit order). */
export function selectedPcrs(selection: PcrSelection): { hashAlg: number; index: number }[] {
  return selection.flatMap(({ hash, pcrSelect }) =>
    [...pcrSelect].flatMap((octet, byte) =>
      Array.from({ length: 8 }, (_, bit) => bit).filter((bit) => (octet & (1 << bit)) !== 0).map((bit) => ({ hashAlg: hash, index: byte * 8 + bit })),
    ),
  );
}

function pcrDigestMismatch(detail: string): never {
  throw new ProtocolError("PCR_DIGEST_MISMATCH", detail);
}

/**
 * The reported values in quote order, each checked to be of its bank's size; every selected PCR must be
 * reported exactly once, and nothing else.
 */
function orderedValues(selection: PcrSelection, values: readonly PcrValue[]): Buffer[] {
  const byPcr = new Map<string, Uint8Array>();
  for (const value of values) {
    const key = `${value.hashAlg}:${value.index}`;
    if (byPcr.has(key)) pcrDigestMismatch(`PCR ${value.index} of bank 0x${value.hashAlg.toString(16)} reported twice`);
    byPcr.set(key, value.value);
  }
  const ordered = selectedPcrs(selection).map(({ hashAlg, index }) => {
    const value = byPcr.get(`${hashAlg}:${index}`);
    if (value === undefined) pcrDigestMismatch(`PCR ${index} of bank 0x${hashAlg.toString(16)} is quoted but not reported`);
    if (!isHashAlg(hashAlg) || value.length !== digestSize(hashAlg)) pcrDigestMismatch(`PCR ${index} value has the wrong size`);
    byPcr.delete(`${hashAlg}:${index}`);
    return Buffer.from(value);
  });
  if (byPcr.size > 0) pcrDigestMismatch(`values reported for PCRs that were not quoted: ${[...byPcr.keys()].join(", ")}`);
  return ordered;
}

/**
 * A TPM2_Quote proves the PCR values (Part 3 §18.4; keylime checkquote): signed by the AK, of type
 * TPM_ST_ATTEST_QUOTE, extraData equal to the session nonce, over exactly the PCR selection the session asked
 * for, and a pcrDigest equal to the hash (the signature's hash algorithm) of the reported values in selection
 * order. Returns the verified TPMS_ATTEST.
 * @throws ProtocolError QUOTE_SIGNATURE_INVALID, QUOTE_NONCE_MISMATCH, PCR_DIGEST_MISMATCH
 */
export function checkQuote(evidence: QuoteEvidence): TPMS_ATTEST {
  let verified: ReturnType<typeof verifyQuote>;
  try {
    verified = verifyQuote({ akPublic: evidence.akPublic, attest: evidence.attestBytes, signature: evidence.signature, nonce: evidence.nonce });
  } catch (error) {
    if (!(error instanceof AttestVerificationError)) throw error;
    if (error.code === "NONCE") throw new ProtocolError("QUOTE_NONCE_MISMATCH");
    throw new ProtocolError("QUOTE_SIGNATURE_INVALID", error.message);
  }
  const quoted = marshal(TPML_PCR_SELECTION, verified.quote.pcrSelect);
  if (!quoted.equals(marshal(TPML_PCR_SELECTION, evidence.selection))) pcrDigestMismatch("the quote covers other PCRs than requested");
  const hashAlg = (evidence.signature.signature as { hash?: number }).hash ?? TPM_ALG.NULL;
  const digest = hashDigest(hashAlg, ...orderedValues(evidence.selection, evidence.pcrValues));
  if (!digest.equals(Buffer.from(verified.quote.pcrDigest))) pcrDigestMismatch("the reported values do not hash to the quoted digest");
  return verified.attest;
}
