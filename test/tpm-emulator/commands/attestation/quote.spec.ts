import { expect } from "chai";
import { createHash } from "node:crypto";
import {
  TPMS_ATTEST,
  TPM_ALG,
  TPM_GENERATED_VALUE,
  TPM_RC,
  TPM_RH,
  TPM_ST,
  akTemplate,
  pw,
  unmarshal,
  verifyQuote,
  type TPMS_QUOTE_INFO,
  type TpmClient,
} from "../../../../tpm2/index.js";
import type { TpmEmulator } from "../../../../tpm-emulator/index.js";
import {
  EMPTY,
  NULL_SCHEME,
  atHandle,
  atParameter,
  createPrimary,
  scheme,
  signingKeyTemplate,
  startedTpm,
  storageKeyTemplate,
  verifiesWithNode,
} from "../key-fixture.js";

const NONCE = Buffer.from("abcdef0123456789", "hex");
const sha = (alg: string, ...parts: Buffer[]) => createHash(alg).update(Buffer.concat(parts)).digest();

describe("TPM2_Quote", () => {
  let tpm: TpmEmulator;
  let client: TpmClient;
  const pcr = { sha256: new Map<number, Buffer>(), sha1: new Map<number, Buffer>() };

  beforeEach(async () => {
    ({ tpm, client } = await startedTpm());
    // PCR 0 and 3 extended with known data in both banks; PCR 1 left at zeros
    for (const index of [0, 3]) {
      const data = Buffer.alloc(32, index + 1);
      await client.run("PCR_Extend", {
        handles: [index],
        auths: [pw()],
        params: { digests: [{ hashAlg: TPM_ALG.SHA256, digest: data }, { hashAlg: TPM_ALG.SHA1, digest: data.subarray(0, 20) }] },
      });
      pcr.sha256.set(index, sha("sha256", Buffer.alloc(32), data));
      pcr.sha1.set(index, sha("sha1", Buffer.alloc(20), data.subarray(0, 20)));
    }
    pcr.sha256.set(1, Buffer.alloc(32));
    pcr.sha1.set(1, Buffer.alloc(20));
  });

  const selection = [
    { hash: TPM_ALG.SHA256, pcrSelect: Buffer.from([0x09, 0, 0]) }, // PCR 0, 3
    { hash: TPM_ALG.SHA1, pcrSelect: Buffer.from([0x0b, 0, 0]) }, // PCR 0, 1, 3
  ];

  for (const kind of ["rsa", "ecc"] as const) {
    it(`${kind}: signs a quote of the selected PCRs that node:crypto verifies with the AK's public key`, async () => {
      const ak = await createPrimary(client, TPM_RH.ENDORSEMENT, akTemplate(kind));
      const out = await client.run("Quote", {
        handles: [ak.handle],
        auths: [pw()],
        params: { qualifyingData: NONCE, inScheme: NULL_SCHEME, PCRselect: selection },
      });
      expect(out.signature.sigAlg).to.equal(kind === "rsa" ? TPM_ALG.RSASSA : TPM_ALG.ECDSA);
      expect(verifiesWithNode(ak.outPublic, out.quoted, out.signature)).to.equal(true);
      const flipped = Buffer.from(out.quoted);
      flipped[flipped.length - 1]! ^= 1;
      expect(verifiesWithNode(ak.outPublic, flipped, out.signature)).to.equal(false);

      const attest = unmarshal(TPMS_ATTEST, out.quoted);
      expect(attest.magic).to.equal(TPM_GENERATED_VALUE);
      expect(attest.type).to.equal(TPM_ST.ATTEST_QUOTE);
      expect(Buffer.from(attest.extraData)).to.deep.equal(NONCE);
      const pub = await client.run("ReadPublic", { handles: [ak.handle], params: {} });
      expect(Buffer.from(attest.qualifiedSigner)).to.deep.equal(Buffer.from(pub.qualifiedName));
      const quote = attest.attested as TPMS_QUOTE_INFO;
      expect(quote.pcrSelect.map((s) => [s.hash, Buffer.from(s.pcrSelect).toString("hex")])).to.deep.equal([
        [TPM_ALG.SHA256, "090000"],
        [TPM_ALG.SHA1, "0b0000"],
      ]);
      const expected = sha(
        "sha256",
        pcr.sha256.get(0)!,
        pcr.sha256.get(3)!,
        pcr.sha1.get(0)!,
        pcr.sha1.get(1)!,
        pcr.sha1.get(3)!,
      );
      expect(Buffer.from(quote.pcrDigest).toString("hex")).to.equal(expected.toString("hex"));
      // the verifier's library accepts it too
      const verified = verifyQuote({ akPublic: ak.outPublic, attest: out.quoted, signature: out.signature, nonce: NONCE, pcrDigest: expected });
      expect(verified.attest.type).to.equal(TPM_ST.ATTEST_QUOTE);
    });
  }

  it("reports clock counters and firmware in clear for an endorsement-hierarchy AK", async () => {
    const ak = await createPrimary(client, TPM_RH.ENDORSEMENT, akTemplate("ecc"));
    const out = await client.run("Quote", {
      handles: [ak.handle],
      auths: [pw()],
      params: { qualifyingData: NONCE, inScheme: NULL_SCHEME, PCRselect: selection },
    });
    const attest = unmarshal(TPMS_ATTEST, out.quoted);
    const { state } = tpm.runtime;
    expect(attest.clockInfo.resetCount).to.equal(state.resetCount);
    expect(attest.clockInfo.restartCount).to.equal(state.restartCount);
    expect(attest.firmwareVersion).to.equal((BigInt(state.identity.firmwareVersion1) << 32n) | BigInt(state.identity.firmwareVersion2));
  });

  it("obfuscates them for an owner-hierarchy AK, the same way for every quote by that key", async () => {
    const ak = await createPrimary(client, TPM_RH.OWNER, akTemplate("ecc"));
    const quoteOnce = async () =>
      unmarshal(
        TPMS_ATTEST,
        (
          await client.run("Quote", {
            handles: [ak.handle],
            auths: [pw()],
            params: { qualifyingData: NONCE, inScheme: NULL_SCHEME, PCRselect: selection },
          })
        ).quoted,
      );
    const a = await quoteOnce();
    const b = await quoteOnce();
    const { state } = tpm.runtime;
    const clearFirmware = (BigInt(state.identity.firmwareVersion1) << 32n) | BigInt(state.identity.firmwareVersion2);
    expect(a.firmwareVersion).to.not.equal(clearFirmware);
    expect([a.clockInfo.resetCount, a.clockInfo.restartCount]).to.not.deep.equal([state.resetCount, state.restartCount]);
    expect([b.firmwareVersion, b.clockInfo.resetCount, b.clockInfo.restartCount]).to.deep.equal([
      a.firmwareVersion,
      a.clockInfo.resetCount,
      a.clockInfo.restartCount,
    ]);
  });

  it("echoes a selection of an unallocated bank with no PCR selected, and digests nothing for it", async () => {
    const ak = await createPrimary(client, TPM_RH.ENDORSEMENT, akTemplate("ecc"));
    const out = await client.run("Quote", {
      handles: [ak.handle],
      auths: [pw()],
      params: { qualifyingData: EMPTY, inScheme: NULL_SCHEME, PCRselect: [{ hash: TPM_ALG.SHA384, pcrSelect: Buffer.from([0xff, 0xff, 0xff]) }] },
    });
    const quote = unmarshal(TPMS_ATTEST, out.quoted).attested as TPMS_QUOTE_INFO;
    expect(Buffer.from(quote.pcrSelect[0]!.pcrSelect).toString("hex")).to.equal("000000");
    expect(Buffer.from(quote.pcrDigest)).to.deep.equal(sha("sha256"));
  });

  it("uses a caller's scheme on a key without one (RSAPSS-SHA384 here)", async () => {
    const key = await createPrimary(client, TPM_RH.OWNER, signingKeyTemplate("rsa"));
    const out = await client.run("Quote", {
      handles: [key.handle],
      auths: [pw()],
      params: { qualifyingData: NONCE, inScheme: scheme(TPM_ALG.RSAPSS, TPM_ALG.SHA384), PCRselect: selection },
    });
    expect(out.signature.sigAlg).to.equal(TPM_ALG.RSAPSS);
    expect(verifiesWithNode(key.outPublic, out.quoted, out.signature)).to.equal(true);
    const quote = unmarshal(TPMS_ATTEST, out.quoted).attested as TPMS_QUOTE_INFO;
    expect(quote.pcrDigest).to.have.length(48);
  });

  describe("refuses", () => {
    const quoteWith = (handle: number, inScheme = NULL_SCHEME) =>
      client.call("Quote", { handles: [handle], auths: [pw()], params: { qualifyingData: NONCE, inScheme, PCRselect: selection } });

    it("a scheme other than the AK's: TPM_RC_SCHEME + parameter 2", async () => {
      const ak = await createPrimary(client, TPM_RH.ENDORSEMENT, akTemplate("rsa"));
      expect((await quoteWith(ak.handle, scheme(TPM_ALG.RSAPSS))).rc).to.equal(atParameter(TPM_RC.SCHEME, 2));
      expect((await quoteWith(ak.handle, scheme(TPM_ALG.RSASSA, TPM_ALG.SHA1))).rc).to.equal(atParameter(TPM_RC.SCHEME, 2));
    });

    it("no scheme from either the key or the caller: TPM_RC_SCHEME + parameter 2", async () => {
      const key = await createPrimary(client, TPM_RH.OWNER, signingKeyTemplate("ecc"));
      expect((await quoteWith(key.handle)).rc).to.equal(atParameter(TPM_RC.SCHEME, 2));
    });

    it("a key that cannot sign: TPM_RC_KEY + handle 1", async () => {
      const srk = await createPrimary(client, TPM_RH.OWNER, storageKeyTemplate("ecc"));
      expect((await quoteWith(srk.handle)).rc).to.equal(atHandle(TPM_RC.KEY, 1));
    });

    it("TPM_RH_NULL as signer, which has no hash for the PCR digest: TPM_RC_SCHEME + parameter 2", async () => {
      expect((await quoteWith(TPM_RH.NULL, scheme(TPM_ALG.ECDSA))).rc).to.equal(atParameter(TPM_RC.SCHEME, 2));
    });

    it("a handle that is not an object: TPM_RC_VALUE + handle 1", async () => {
      expect((await quoteWith(TPM_RH.OWNER)).rc).to.equal(atHandle(TPM_RC.VALUE, 1));
    });
  });
});
