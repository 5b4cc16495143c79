import { expect } from "chai";
import { decodeAttest, decodeCreationData, decodePublic, decodeSignature } from "../../attestation-service/evidence.js";
import { TPM2B_PUBLIC, akTemplate, hashDigest, marshal, TPMT_PUBLIC, TPM_ALG } from "../../tpm2/index.js";
import { expectCode } from "./support/expect-code.js";

describe("evidence (TPM structures from the request)", () => {
  it("reads a TPM2B_PUBLIC and names it nameAlg ‖ H(TPMT_PUBLIC)", () => {
    const publicArea = { ...akTemplate("ecc"), unique: { x: Buffer.alloc(32, 1), y: Buffer.alloc(32, 2) } };
    const received = decodePublic("akPublic", marshal(TPM2B_PUBLIC, publicArea));
    expect(received.name).to.deep.equal(Buffer.concat([Buffer.from("000b", "hex"), hashDigest(TPM_ALG.SHA256, marshal(TPMT_PUBLIC, publicArea))]));
  });
  it("answers truncated, oversized or trailing-byte structures with MALFORMED_TPM_STRUCTURE", async () => {
    const good = marshal(TPM2B_PUBLIC, { ...akTemplate("ecc"), unique: { x: Buffer.alloc(32, 1), y: Buffer.alloc(32, 2) } });
    await expectCode(() => decodePublic("akPublic", good.subarray(0, good.length - 1)), "MALFORMED_TPM_STRUCTURE");
    await expectCode(() => decodePublic("akPublic", Buffer.concat([good, Buffer.of(0)])), "MALFORMED_TPM_STRUCTURE");
    await expectCode(() => decodeCreationData("akCreationData", Buffer.of(0, 9, 1)), "MALFORMED_TPM_STRUCTURE");
    await expectCode(() => decodeAttest("quote", Buffer.of(0, 4, 0xff, 0x54, 0x43, 0x47)), "MALFORMED_TPM_STRUCTURE");
    await expectCode(() => decodeSignature("quoteSignature", Buffer.of(0, 0x18)), "MALFORMED_TPM_STRUCTURE");
  });
});
