import { expect } from "chai";
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { PkiError, readEkPublicKey } from "../../certs/index.js";
import { TPM2B_PUBLIC, TPMT_PUBLIC, ekTemplateEcc, ekTemplateRsa, marshal } from "../../tpm2/index.js";

const spki = (key: KeyObject): string => key.export({ type: "spki", format: "der" }).toString("hex");

/** The TPMT_PUBLIC a TPM returns for this key under the default EK template. */
function tpmPublicOf(key: KeyObject): TPMT_PUBLIC {
  const jwk = key.export({ format: "jwk" });
  const bytes = (value: string | undefined): Buffer => Buffer.from(value ?? "", "base64url");
  if (key.asymmetricKeyType === "rsa") return { ...ekTemplateRsa(), unique: bytes(jwk.n) };
  return { ...ekTemplateEcc(), unique: { x: bytes(jwk.x), y: bytes(jwk.y) } };
}

describe("certs/ek-public-key", () => {
  const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey;
  const ecc = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey;

  for (const [kind, key] of [["RSA", rsa], ["ECC", ecc]] as const) {
    it(`reads an ${kind} EK from PEM, DER SPKI, TPM2B_PUBLIC and TPMT_PUBLIC`, () => {
      const forms: Record<string, Uint8Array> = {
        pem: Buffer.from(key.export({ type: "spki", format: "pem" })),
        der: key.export({ type: "spki", format: "der" }),
        tpm2b: marshal(TPM2B_PUBLIC, tpmPublicOf(key)),
        tpmt: marshal(TPMT_PUBLIC, tpmPublicOf(key)),
      };
      for (const [form, bytes] of Object.entries(forms)) expect(spki(readEkPublicKey(bytes)), form).to.equal(spki(key));
    });
  }

  it("rejects bytes that hold no public key with EK_PUBLIC_UNREADABLE", () => {
    for (const bytes of [Buffer.from("hello"), Buffer.from("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"), Uint8Array.of(0x30, 0x03, 1, 2, 3)]) {
      let caught: unknown;
      try {
        readEkPublicKey(bytes);
      } catch (error) {
        caught = error;
      }
      expect(caught).to.be.instanceOf(PkiError);
      expect((caught as PkiError).code).to.equal("EK_PUBLIC_UNREADABLE");
    }
  });
});
