import { expect } from "chai";
import { createHash, createHmac } from "node:crypto";
import { TPM_ALG, TPM_CC } from "../../../tpm2/constants.js";
import {
  cpHash,
  decryptParameterCfb,
  kdfa,
  rpHash,
  sessionAuthKey,
  sessionHmac,
  sessionKey,
  trimAuthValue,
} from "../../../tpm2/crypto/index.js";

const hex = (s: string): Buffer => Buffer.from(s, "hex");
const EMPTY = Buffer.alloc(0);
const SHA256 = TPM_ALG.SHA256;

describe("tpm2/crypto/session", function () {
  const nonceTPM = Buffer.alloc(32, 0x11);
  const nonceCaller = Buffer.alloc(32, 0x22);

  describe("sessionKey", function () {
    it("is the Empty Buffer for an unbound, unsalted session", function () {
      expect(sessionKey(SHA256, null, null, nonceTPM, nonceCaller)).to.have.length(0);
    });

    it("is KDFa(authHash, bindAuth || salt, ATH, nonceTPM, nonceCaller, digest bits) otherwise", function () {
      const bind = Buffer.from("bindpw");
      const salt = Buffer.alloc(32, 0x5a);
      expect(sessionKey(SHA256, bind, salt, nonceTPM, nonceCaller)).to.deep.equal(
        kdfa(SHA256, Buffer.concat([bind, salt]), "ATH", nonceTPM, nonceCaller, 256),
      );
      expect(sessionKey(TPM_ALG.SHA384, null, salt, nonceTPM, nonceCaller)).to.have.length(48);
      expect(sessionKey(SHA256, EMPTY, null, nonceTPM, nonceCaller)).to.have.length(32);
    });

    it("ignores trailing zeros of the bind authValue", function () {
      expect(sessionKey(SHA256, Buffer.from("pw\0\0"), null, nonceTPM, nonceCaller)).to.deep.equal(
        sessionKey(SHA256, Buffer.from("pw"), null, nonceTPM, nonceCaller),
      );
    });
  });

  describe("authValue handling", function () {
    it("trims trailing zero octets only", function () {
      expect(Buffer.from(trimAuthValue(hex("00610000")))).to.deep.equal(hex("0061"));
      expect(trimAuthValue(hex("0000"))).to.have.length(0);
      expect(sessionAuthKey(hex("0102"), hex("0300"))).to.deep.equal(hex("010203"));
    });
  });

  describe("cpHash and rpHash", function () {
    it("cpHash is H(commandCode || names || parameters)", function () {
      const names = [hex("40000001"), hex("000b" + "ab".repeat(32))];
      const parameters = hex("0004deadbeef0000");
      const expected = createHash("sha256")
        .update(hex("00000137"))
        .update(names[0]!)
        .update(names[1]!)
        .update(parameters)
        .digest();
      expect(cpHash(SHA256, TPM_CC.NV_Write, names, parameters)).to.deep.equal(expected);
    });

    it("rpHash is H(responseCode || commandCode || parameters)", function () {
      const parameters = hex("00020102");
      const expected = createHash("sha1").update(hex("00000000" + "0000017b")).update(parameters).digest();
      expect(rpHash(TPM_ALG.SHA1, 0, TPM_CC.GetRandom, parameters)).to.deep.equal(expected);
    });
  });

  describe("sessionHmac", function () {
    const inputs = {
      sessionKey: Buffer.alloc(32, 1),
      authValue: Buffer.from("auth"),
      pHash: Buffer.alloc(32, 2),
      nonceNewer: Buffer.alloc(32, 3),
      nonceOlder: Buffer.alloc(32, 4),
      nonceDecrypt: Buffer.alloc(32, 5),
      nonceEncrypt: Buffer.alloc(32, 6),
      attributes: 0x21,
    };
    type Inputs = typeof inputs;
    const compute = (i: Inputs): Buffer =>
      sessionHmac(
        SHA256,
        i.sessionKey,
        i.authValue,
        i.pHash,
        i.nonceNewer,
        i.nonceOlder,
        i.nonceDecrypt,
        i.nonceEncrypt,
        i.attributes,
      );

    it("is HMAC(sessionKey || authValue, pHash || newer || older || decrypt || encrypt || attrs)", function () {
      const expected = createHmac("sha256", Buffer.concat([inputs.sessionKey, inputs.authValue]))
        .update(
          Buffer.concat([
            inputs.pHash,
            inputs.nonceNewer,
            inputs.nonceOlder,
            inputs.nonceDecrypt,
            inputs.nonceEncrypt,
            Buffer.of(0x21),
          ]),
        )
        .digest();
      expect(compute(inputs)).to.deep.equal(expected);
      expect(compute({ ...inputs })).to.deep.equal(expected);
    });

    it("changes when any single input changes", function () {
      const base = compute(inputs);
      const variants: Array<[string, Partial<Inputs>]> = [
        ["sessionKey", { sessionKey: Buffer.alloc(32, 9) }],
        ["authValue", { authValue: Buffer.from("other") }],
        ["pHash", { pHash: Buffer.alloc(32, 9) }],
        ["nonceNewer", { nonceNewer: Buffer.alloc(32, 9) }],
        ["nonceOlder", { nonceOlder: Buffer.alloc(32, 9) }],
        ["nonceDecrypt", { nonceDecrypt: EMPTY }],
        ["nonceEncrypt", { nonceEncrypt: EMPTY }],
        ["attributes", { attributes: 0x01 }],
      ];
      for (const [name, change] of variants) {
        expect(compute({ ...inputs, ...change }).equals(base), name).to.equal(false);
      }
    });

    it("does not depend on trailing zeros of the authValue", function () {
      expect(compute({ ...inputs, authValue: Buffer.from("auth\0") })).to.deep.equal(compute(inputs));
    });
  });

  // Captured from tpm2-tools 5.4 (tpm2-tss 3.2.1) against swtpm 0.7.1 with TSS2_LOG=tcti+trace: every value
  // below is on the wire, so these check our formulas against the TSS and the TPM, not against ourselves.
  describe("known answers from a tpm2-tools / swtpm session trace", function () {
    it("unbound, unsalted session authorizing TPM2_DictionaryAttackLockReset with lockout auth 'lockpw'", function () {
      const nonceTPM0 = hex("421fe9a53764fcc8134f3fd91ad291013f426b0492dd28bb6861d1698ba3de77");
      const nonceCaller0 = hex("880fcac3184a5fe12d9b6dcd20ff86d3297aa06e5cc10024effff8172002324f");
      const key = sessionKey(SHA256, null, null, nonceTPM0, nonceCaller0);
      const nonceCaller1 = hex("c5d6268e71203a512a7ac6f62a1a321e6acfcbbe887207f1dc24d608c75d8e22");
      const command = cpHash(SHA256, TPM_CC.DictionaryAttackLockReset, [hex("4000000a")], EMPTY);
      expect(
        sessionHmac(SHA256, key, Buffer.from("lockpw"), command, nonceCaller1, nonceTPM0, EMPTY, EMPTY, 0x01),
      ).to.deep.equal(hex("faab3cad19ec12458a7da0b8564c941b0bdd122a86948f34bc52ce77474c27a6"));
      const nonceTPM1 = hex("be7ccc100eaaa60729d51aa287311e2d671986de5e0a54a4846d5ee04637eb22");
      const response = rpHash(SHA256, 0, TPM_CC.DictionaryAttackLockReset, EMPTY);
      expect(
        sessionHmac(SHA256, key, Buffer.from("lockpw"), response, nonceTPM1, nonceCaller1, EMPTY, EMPTY, 0x01),
      ).to.deep.equal(hex("faf5326403cd5087316d867717ed923103568c1bcaae89135dc589fd7ad8baf1"));
    });

    it("session bound to the owner ('ownerpw') authorizing the lockout hierarchy (empty auth)", function () {
      const nonceTPM0 = hex("81b75d97bee1c5e178b6db07feee925ca2af8ab56ac154941d4e8b328a213e2a");
      const nonceCaller0 = hex("81f4ddc42ae38867f0f4df20f19646d26a01b0d6120bd7ff943ad13ffa03d3d3");
      const key = sessionKey(SHA256, Buffer.from("ownerpw"), null, nonceTPM0, nonceCaller0);
      const nonceCaller1 = hex("c82bc93a12f761a0cd048efb596f11a021fd126e120aa6b49113bd2b3fe0d991");
      const command = cpHash(SHA256, TPM_CC.DictionaryAttackLockReset, [hex("4000000a")], EMPTY);
      expect(sessionHmac(SHA256, key, EMPTY, command, nonceCaller1, nonceTPM0, EMPTY, EMPTY, 0x01)).to.deep.equal(
        hex("19db22aa17671f57bf7f52f6695f9a336758e8a62159ac9064945f2c39cba3fa"),
      );
      const nonceTPM1 = hex("6e4db426528cb3c3d953be82bef3ebb6b02768d7a51698f73a332e1b726810a4");
      const response = rpHash(SHA256, 0, TPM_CC.DictionaryAttackLockReset, EMPTY);
      expect(sessionHmac(SHA256, key, EMPTY, response, nonceTPM1, nonceCaller1, EMPTY, EMPTY, 0x01)).to.deep.equal(
        hex("48bd1a4ff2c1c66c052310a1a0a5413e8b5d83b173f7af8eec13d59d9c68b27e"),
      );
    });

    it("a session bound to an entity with an empty authValue has a sessionKey: KDFa over an empty key", function () {
      const nonceTPM0 = hex("b125eb6e4474cd9ffb10254427753cf62a5ca08a27b57dbe8d505dd671d3e276");
      const nonceCaller0 = hex("76f870c43990962d364324c195805d44f1220c06c83905f0c31871d69afabdd0");
      const bound = sessionKey(SHA256, EMPTY, null, nonceTPM0, nonceCaller0);
      expect(bound).to.have.length(32);
      const nonceCaller1 = hex("4beba76dc30ac3376d9e3b6acfe2d0ac96205c59219a4f2f9f9e2487ff4f5f1d");
      const command = cpHash(SHA256, TPM_CC.DictionaryAttackLockReset, [hex("4000000a")], EMPTY);
      expect(sessionHmac(SHA256, bound, EMPTY, command, nonceCaller1, nonceTPM0, EMPTY, EMPTY, 0x01)).to.deep.equal(
        hex("198a71b37582121e01e79fbe350211d3eacb8d9af894068aa2eec9b7477e78a8"),
      );
    });

    it("bound session with decrypt: TPM2_NV_Write with an AES-128-CFB encrypted first parameter", function () {
      const nonceTPM0 = hex("df05c92d0ac44f5cfb6a3df3f60a781245ba079497817def74964517ba0fb952");
      const nonceCaller0 = hex("b6cb89624e6053dfe631096eac8cd5a46cc4877f53d777e50015ff48b3ff59bb");
      const key = sessionKey(SHA256, Buffer.from("ownerpw"), null, nonceTPM0, nonceCaller0);
      const nonceCaller1 = hex("b3429c0e7c2d42d17bc85aa3234ba5d519912b567d7a65ab02c9ed2dc0ba329b");
      const encryptedData = hex("a050ddc1b6740975f3c40f56b746c556");
      // The session is bound to the entity it authorizes (the owner), so its authValue is not in the key.
      const context = {
        hashAlg: SHA256,
        sessionKey: key,
        authValue: EMPTY,
        nonceNewer: nonceCaller1,
        nonceOlder: nonceTPM0,
      };
      expect(decryptParameterCfb(context, 128, encryptedData).toString("latin1")).to.equal("parameter-secret");
      // cpHash covers the parameters as sent (encrypted) and the NV index's Name before TPMA_NV_WRITTEN is set.
      const nvName = hex("000b55f82ad4ca3ca0c54ee30efcb276e60df5c5459fc3b2d44c606111ac6dde1b91");
      const parameters = Buffer.concat([hex("0010"), encryptedData, hex("0000")]);
      const command = cpHash(SHA256, TPM_CC.NV_Write, [hex("40000001"), nvName], parameters);
      expect(sessionHmac(SHA256, key, EMPTY, command, nonceCaller1, nonceTPM0, EMPTY, EMPTY, 0x21)).to.deep.equal(
        hex("d362c476daf889ff8318d18ce1f0d04b3555817b58122eb8e7276e3a34a07fcb"),
      );
    });
  });
});
