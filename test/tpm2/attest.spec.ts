import { expect } from "chai";
import { createHash, createPublicKey } from "node:crypto";
import {
  AttestVerificationError,
  TPM2B_PUBLIC,
  TPMA_OBJECT,
  TPMT_SIGNATURE,
  TPM_RC,
  TPM_ST,
  TpmError,
  marshal,
  parseAttest,
  publicKeyOf,
  unmarshal,
  verifyAttestSignature,
  verifyQuote,
  type AttestFailure,
  type TPMS_CERTIFY_INFO,
  type TPMS_QUOTE_INFO,
  type TPMT_PUBLIC,
} from "../../tpm2/index.js";
import { vector, vectorText } from "../vectors/index.js";

const NONCE = Buffer.from("abcdef0123456789", "hex");

function publicArea(name: string): TPMT_PUBLIC {
  return unmarshal(TPM2B_PUBLIC, vector(name));
}

/** The value of `key:` in tpm2_print's YAML text. */
function field(text: string, key: string): string {
  const m = new RegExp(`^\\s*${key}: (\\S+)`, "m").exec(text);
  if (!m) throw new Error(`no ${key} in the text`);
  return m[1]!;
}

/** SHA-256 of the PCR values capture.sh set: PCR i = SHA-256(0^32 ‖ (i+1) as 32 octets). */
function expectedPcrDigest(): Buffer {
  const values = Array.from({ length: 8 }, (_, i) =>
    createHash("sha256")
      .update(Buffer.alloc(32))
      .update(Buffer.from((i + 1).toString(16).padStart(64, "0"), "hex"))
      .digest(),
  );
  return createHash("sha256").update(Buffer.concat(values)).digest();
}

function failureOf(f: () => unknown): AttestFailure | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof AttestVerificationError) return e.code;
    throw e;
  }
  return undefined;
}

describe("tpm2/attest", () => {
  describe("parseAttest", () => {
    for (const alg of ["rsa", "ecc"]) {
      it(`reads quote_${alg}.msg as tpm2_print does`, () => {
        const text = vectorText(`quote_${alg}.msg.txt`);
        const attest = parseAttest(vector(`quote_${alg}.msg`));
        expect(attest.magic.toString(16)).to.equal(field(text, "magic"));
        expect(attest.type.toString(16)).to.equal(field(text, "type"));
        expect(Buffer.from(attest.qualifiedSigner).toString("hex")).to.equal(field(text, "qualifiedSigner"));
        expect(Buffer.from(attest.extraData).toString("hex")).to.equal(field(text, "extraData"));
        expect(attest.clockInfo.clock.toString()).to.equal(field(text, "clock"));
        expect(String(attest.clockInfo.resetCount)).to.equal(field(text, "resetCount"));
        expect(String(attest.clockInfo.restartCount)).to.equal(field(text, "restartCount"));
        expect(attest.clockInfo.safe ? "1" : "0").to.equal(field(text, "safe"));
        // tpm2_print 5.4 prints firmwareVersion as the hex of its bytes reversed (libtpms' 0x2019102300163636
        // appears as 3636160023101920), so compare in that form
        const fw = Buffer.alloc(8);
        fw.writeBigUInt64BE(attest.firmwareVersion);
        expect(fw.reverse().toString("hex")).to.equal(field(text, "firmwareVersion"));
        const quote = attest.attested as TPMS_QUOTE_INFO;
        expect(quote.pcrSelect).to.have.length(1);
        expect(String(quote.pcrSelect[0]!.hash)).to.equal(field(text, "hash"));
        expect(Buffer.from(quote.pcrSelect[0]!.pcrSelect).toString("hex")).to.equal(field(text, "pcrSelect"));
        expect(Buffer.from(quote.pcrDigest).toString("hex")).to.equal(field(text, "pcrDigest"));
      });
    }

    it("reads the certify attestation: the certified key's Name", () => {
      const attest = parseAttest(vector("certify_rsa.attest"));
      expect(attest.type).to.equal(TPM_ST.ATTEST_CERTIFY);
      expect(Buffer.from((attest.attested as TPMS_CERTIFY_INFO).name).toString("hex")).to.equal(
        vector("key.name").toString("hex"),
      );
    });

    it("refuses a wrong magic, an unknown type, truncation and trailing bytes", () => {
      const good = vector("quote_rsa.msg");
      const rcOf = (bytes: Buffer): number | undefined => {
        try {
          parseAttest(bytes);
        } catch (e) {
          if (e instanceof TpmError) return e.rc;
          throw e;
        }
        return undefined;
      };
      const badMagic = Buffer.from(good);
      badMagic[0] = 0x00;
      expect(rcOf(badMagic)).to.equal(TPM_RC.VALUE);
      const badType = Buffer.from(good);
      badType.writeUInt16BE(0x8000, 4);
      expect(rcOf(badType)).to.equal(TPM_RC.VALUE);
      expect(rcOf(good.subarray(0, good.length - 1))).to.equal(TPM_RC.INSUFFICIENT);
      expect(rcOf(Buffer.concat([good, Buffer.of(0)]))).to.equal(TPM_RC.SIZE);
    });
  });

  describe("publicKeyOf", () => {
    for (const name of ["ak_rsa", "ak_ecc", "ek_rsa", "ek_ecc"]) {
      it(`gives the key of ${name}.pem`, () => {
        const ours = publicKeyOf(publicArea(`${name}.pub`)).export({ type: "spki", format: "der" });
        const theirs = createPublicKey(vectorText(`${name}.pem`)).export({ type: "spki", format: "der" });
        expect(ours.toString("hex")).to.equal(theirs.toString("hex"));
      });
    }
  });

  describe("verifyQuote", () => {
    for (const alg of ["rsa", "ecc"]) {
      const args = () => ({
        akPublic: publicArea(`ak_${alg}.pub`),
        attest: vector(`quote_${alg}.msg`),
        signature: vector(`quote_${alg}.sig`),
        nonce: NONCE,
      });

      it(`${alg}: accepts swtpm's quote with the AK, nonce and PCR digest`, () => {
        const { attest, quote } = verifyQuote({ ...args(), pcrDigest: expectedPcrDigest() });
        expect(attest.type).to.equal(TPM_ST.ATTEST_QUOTE);
        expect(Buffer.from(quote.pcrSelect[0]!.pcrSelect).toString("hex")).to.equal("ff0000");
      });

      it(`${alg}: accepts the signature as a structure too`, () => {
        const signature = unmarshal(TPMT_SIGNATURE, vector(`quote_${alg}.sig`));
        expect(() => verifyQuote({ ...args(), signature })).to.not.throw();
      });

      it(`${alg}: rejects another nonce`, () => {
        expect(failureOf(() => verifyQuote({ ...args(), nonce: Buffer.from("abcdef0123456788", "hex") }))).to.equal("NONCE");
        expect(failureOf(() => verifyQuote({ ...args(), nonce: Buffer.alloc(0) }))).to.equal("NONCE");
      });

      it(`${alg}: rejects a flipped byte anywhere in the attestation or the signature`, () => {
        const attest = vector(`quote_${alg}.msg`);
        for (const at of [6, 40, attest.length - 1]) {
          const flipped = Buffer.from(attest);
          flipped[at]! ^= 0x01;
          expect(failureOf(() => verifyQuote({ ...args(), attest: flipped })), `byte ${at}`).to.be.oneOf(["SIGNATURE", "MALFORMED"]);
        }
        const sig = Buffer.from(vector(`quote_${alg}.sig`));
        sig[sig.length - 5]! ^= 0x01;
        expect(failureOf(() => verifyQuote({ ...args(), signature: sig }))).to.equal("SIGNATURE");
      });

      it(`${alg}: rejects a PCR digest other than the expected one`, () => {
        const other = expectedPcrDigest();
        other[0]! ^= 0x01;
        expect(failureOf(() => verifyQuote({ ...args(), pcrDigest: other }))).to.equal("PCR_DIGEST");
      });
    }

    it("rejects a quote checked against the other AK", () => {
      const f = () =>
        verifyQuote({
          akPublic: unmarshal(TPM2B_PUBLIC, vector("ak_rsa.pub")),
          attest: vector("quote_ecc.msg"),
          signature: vector("quote_ecc.sig"),
          nonce: NONCE,
        });
      expect(failureOf(f)).to.equal("SCHEME");
    });

    it("rejects a signed attestation that is not a quote", () => {
      const f = () =>
        verifyQuote({
          akPublic: publicArea("ak_rsa.pub"),
          attest: vector("certify_rsa.attest"),
          signature: vector("certify_rsa.sig"),
          nonce: Buffer.from("00ff55aa", "hex"),
        });
      expect(failureOf(f)).to.equal("TYPE");
    });

    it("rejects a signer that is not a restricted signing key", () => {
      const ak = publicArea("ak_rsa.pub");
      const unrestricted = { ...ak, objectAttributes: ak.objectAttributes & ~TPMA_OBJECT.restricted };
      const f = () =>
        verifyQuote({ akPublic: unrestricted, attest: vector("quote_rsa.msg"), signature: vector("quote_rsa.sig"), nonce: NONCE });
      expect(failureOf(f)).to.equal("KEY");
    });

    it("rejects garbage as MALFORMED", () => {
      const f = () =>
        verifyQuote({ akPublic: publicArea("ak_rsa.pub"), attest: Buffer.from("ff544347", "hex"), signature: vector("quote_rsa.sig"), nonce: NONCE });
      expect(failureOf(f)).to.equal("MALFORMED");
      const g = () =>
        verifyQuote({ akPublic: publicArea("ak_rsa.pub"), attest: vector("quote_rsa.msg"), signature: Buffer.of(0, 0x14), nonce: NONCE });
      expect(failureOf(g)).to.equal("MALFORMED");
    });
  });

  describe("verifyAttestSignature", () => {
    it("accepts the certify attestation signed by the RSA AK and rejects it with the ECC AK", () => {
      const attest = vector("certify_rsa.attest");
      const signature = unmarshal(TPMT_SIGNATURE, vector("certify_rsa.sig"));
      expect(() => verifyAttestSignature({ signerPublic: publicArea("ak_rsa.pub"), attest, signature })).to.not.throw();
      expect(marshal(TPMT_SIGNATURE, signature).toString("hex")).to.equal(vector("certify_rsa.sig").toString("hex"));
      expect(failureOf(() => verifyAttestSignature({ signerPublic: publicArea("ak_ecc.pub"), attest, signature }))).to.equal(
        "SCHEME",
      );
    });
  });
});
