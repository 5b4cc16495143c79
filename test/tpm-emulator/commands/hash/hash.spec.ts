import { expect } from "chai";
import { createHash, createHmac } from "node:crypto";
import { TPM_ALG, TPM_RC, TPM_RH, TPM_ST, type TpmClient } from "../../../../tpm2/index.js";
import type { TpmEmulator } from "../../../../tpm-emulator/index.js";
import { atParameter, startedTpm } from "../key-fixture.js";

const DATA = Buffer.from("data that does not look like a TPM structure");

describe("TPM2_Hash", () => {
  let tpm: TpmEmulator;
  let client: TpmClient;
  beforeEach(async () => ({ tpm, client } = await startedTpm()));

  const hash = (data: Uint8Array, hashAlg: number = TPM_ALG.SHA256, hierarchy: number = TPM_RH.OWNER) =>
    client.call("Hash", { params: { data, hashAlg, hierarchy } });

  /** Part 2 §10.7.6 (with the hash algorithm, as the reference code), from the hierarchy's proof (white box). */
  const hashcheck = (proof: Uint8Array, hashAlg: number, digest: Uint8Array) => {
    const header = Buffer.alloc(4);
    header.writeUInt16BE(TPM_ST.HASHCHECK, 0);
    header.writeUInt16BE(hashAlg, 2);
    return createHmac("sha512", proof).update(header).update(digest).digest("hex");
  };

  for (const [alg, name] of [
    [TPM_ALG.SHA1, "sha1"],
    [TPM_ALG.SHA256, "sha256"],
    [TPM_ALG.SHA384, "sha384"],
    [TPM_ALG.SHA512, "sha512"],
  ] as const) {
    it(`${name}: the digest node:crypto computes, with a ticket from the owner proof`, async () => {
      const out = await hash(DATA, alg);
      expect(out.rc).to.equal(TPM_RC.SUCCESS);
      const digest = createHash(name).update(DATA).digest();
      expect(Buffer.from(out.response!.outHash).toString("hex")).to.equal(digest.toString("hex"));
      const { validation } = out.response!;
      expect(validation.tag).to.equal(TPM_ST.HASHCHECK);
      expect(validation.hierarchy).to.equal(TPM_RH.OWNER);
      expect(Buffer.from(validation.digest).toString("hex")).to.equal(hashcheck(tpm.runtime.state.owner.proof, alg, digest));
    });
  }

  it("keys the ticket with the proof of the hierarchy asked for", async () => {
    const out = await hash(DATA, TPM_ALG.SHA256, TPM_RH.ENDORSEMENT);
    const digest = createHash("sha256").update(DATA).digest();
    expect(out.response!.validation.hierarchy).to.equal(TPM_RH.ENDORSEMENT);
    expect(Buffer.from(out.response!.validation.digest).toString("hex")).to.equal(
      hashcheck(tpm.runtime.state.endorsement.proof, TPM_ALG.SHA256, digest),
    );
  });

  it("hashes empty data", async () => {
    const out = await hash(Buffer.alloc(0));
    expect(Buffer.from(out.response!.outHash).toString("hex")).to.equal(createHash("sha256").digest("hex"));
    expect(out.response!.validation.digest).to.have.length(64);
  });

  it("gives a NULL ticket for TPM_RH_NULL", async () => {
    const out = await hash(DATA, TPM_ALG.SHA256, TPM_RH.NULL);
    expect(out.response!.validation).to.deep.include({ tag: TPM_ST.HASHCHECK, hierarchy: TPM_RH.NULL });
    expect(out.response!.validation.digest).to.have.length(0);
  });

  it("gives a NULL ticket for data starting with TPM_GENERATED_VALUE, but still the digest", async () => {
    const generated = Buffer.concat([Buffer.from("ff544347", "hex"), DATA]);
    const out = await hash(generated);
    expect(Buffer.from(out.response!.outHash)).to.deep.equal(createHash("sha256").update(generated).digest());
    expect(out.response!.validation.hierarchy).to.equal(TPM_RH.NULL);
    expect(out.response!.validation.digest).to.have.length(0);
    // three bytes of the magic are not the magic
    const short = await hash(Buffer.from("ff5443", "hex"));
    expect(short.response!.validation.hierarchy).to.equal(TPM_RH.OWNER);
  });

  it("refuses a hierarchy that is not one: TPM_RC_VALUE + parameter 3", async () => {
    expect((await hash(DATA, TPM_ALG.SHA256, TPM_RH.LOCKOUT)).rc).to.equal(atParameter(TPM_RC.VALUE, 3));
    expect((await hash(DATA, TPM_ALG.SHA256, 0x80000000)).rc).to.equal(atParameter(TPM_RC.VALUE, 3));
  });

  it("refuses a hash it does not implement: TPM_RC_HASH + parameter 2", async () => {
    expect((await hash(DATA, TPM_ALG.SM3_256)).rc).to.equal(atParameter(TPM_RC.HASH, 2));
    expect((await hash(DATA, TPM_ALG.NULL)).rc).to.equal(atParameter(TPM_RC.HASH, 2));
  });
});
