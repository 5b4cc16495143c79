import { expect } from "chai";
import { checkQuote, selectedPcrs, type QuoteEvidence } from "../../../attestation-service/checks/quote.js";
import { decodeAttest, decodeSignature } from "../../../attestation-service/evidence.js";
import type { ProofRequest } from "../../../protocol/index.js";
import { TPML_PCR_SELECTION, TPM_ALG, unmarshal } from "../../../tpm2/index.js";
import { expectCode } from "../support/expect-code.js";
import type { TestDevice } from "../support/test-device.js";
import { challengeFor, evidenceDevices } from "./tpm-evidence.js";

function evidenceOf(device: TestDevice, proof: ProofRequest, nonce: Uint8Array, signer: TestDevice = device): QuoteEvidence {
  return {
    akPublic: signer.ak.publicArea,
    attestBytes: decodeAttest("quote", proof.quote).bytes,
    signature: decodeSignature("signature", proof.quoteSignature),
    nonce,
    selection: [{ hash: TPM_ALG.SHA256, pcrSelect: Buffer.from([0xff, 0, 0]) }],
    pcrValues: proof.pcrValues,
  };
}

describe("checks/quote", function () {
  this.timeout(30_000);
  let device: TestDevice;
  let other: TestDevice;
  let proof: ProofRequest;
  const nonce = Buffer.alloc(32, 0x4e);

  before(async () => {
    ({ device, other } = await evidenceDevices());
    proof = await device.proofRequest(challengeFor(device, nonce), 0);
  });

  it("orders a selection's PCRs as TPM2_Quote hashes them", () => {
    const selection = unmarshal(TPML_PCR_SELECTION, Buffer.from("00000002000b03810000000403010000", "hex"));
    expect(selectedPcrs(selection)).to.deep.equal([
      { hashAlg: 0x0b, index: 0 },
      { hashAlg: 0x0b, index: 7 },
      { hashAlg: 0x04, index: 0 },
    ]);
  });

  it("accepts the AK's quote of the nonce over the reported PCR values", () => {
    const attest = checkQuote(evidenceOf(device, proof, nonce));
    expect(Buffer.from(attest.extraData)).to.deep.equal(nonce);
  });

  it("refuses a tampered quote and a quote checked against another AK (QUOTE_SIGNATURE_INVALID)", async () => {
    const evidence = evidenceOf(device, proof, nonce);
    const tampered = Buffer.from(evidence.attestBytes);
    tampered[tampered.length - 40]! ^= 1;
    await expectCode(() => checkQuote({ ...evidence, attestBytes: tampered }), "QUOTE_SIGNATURE_INVALID");
    await expectCode(() => checkQuote(evidenceOf(device, proof, nonce, other)), "QUOTE_SIGNATURE_INVALID");
  });

  it("refuses a quote of another nonce (QUOTE_NONCE_MISMATCH)", async () => {
    await expectCode(() => checkQuote(evidenceOf(device, proof, Buffer.alloc(32, 1))), "QUOTE_NONCE_MISMATCH");
  });

  it("refuses PCR values that do not hash to the quoted digest, missing or extra ones (PCR_DIGEST_MISMATCH)", async () => {
    const evidence = evidenceOf(device, proof, nonce);
    const changed = evidence.pcrValues.map((value, index) => (index === 0 ? { ...value, value: Buffer.alloc(32, 9) } : value));
    await expectCode(() => checkQuote({ ...evidence, pcrValues: changed }), "PCR_DIGEST_MISMATCH");
    await expectCode(() => checkQuote({ ...evidence, pcrValues: evidence.pcrValues.slice(1) }), "PCR_DIGEST_MISMATCH");
    const extra = [...evidence.pcrValues, { hashAlg: TPM_ALG.SHA256, index: 12, value: Buffer.alloc(32) }];
    await expectCode(() => checkQuote({ ...evidence, pcrValues: extra }), "PCR_DIGEST_MISMATCH");
    const otherSelection = [{ hash: TPM_ALG.SHA256, pcrSelect: Buffer.from([0x7f, 0, 0]) }];
    await expectCode(() => checkQuote({ ...evidence, selection: otherSelection }), "PCR_DIGEST_MISMATCH");
  });
});
