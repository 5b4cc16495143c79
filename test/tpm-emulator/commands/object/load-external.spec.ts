import { createHash, generateKeyPairSync, verify } from "node:crypto";
import { expect } from "chai";
import {
  TPMA_OBJECT as O,
  TPMT_PUBLIC,
  TPM_ALG as A,
  TPM_RC,
  TPM_RC_1,
  TPM_RC_P,
  TPM_RH,
  TPM_ST,
  marshal,
  pw,
  type TPMS_ECC_POINT,
  type TPMT_SENSITIVE,
} from "../../../../tpm2/index.js";
import { ecdsaTemplate, eccTemplate, expectRc, startTpm } from "./support.js";

const P1 = TPM_RC_P | TPM_RC_1;
const P2 = TPM_RC_P | (2 * TPM_RC_1);
const P3 = TPM_RC_P | (3 * TPM_RC_1);
const EXTERNAL = O.userWithAuth | O.sign | O.noDA;

/** A P-256 key pair from node:crypto as a TPM public area (and its sensitive area). */
function externalKey(attributes = EXTERNAL) {
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const pub = publicKey.export({ format: "jwk" });
  const priv = privateKey.export({ format: "jwk" });
  const unique = { x: Buffer.from(pub.x!, "base64url"), y: Buffer.from(pub.y!, "base64url") };
  const publicArea = eccTemplate(attributes, { scheme: { scheme: A.ECDSA, details: { hashAlg: A.SHA256 } }, unique });
  const sensitiveArea: TPMT_SENSITIVE = {
    sensitiveType: A.ECC,
    authValue: Buffer.alloc(0),
    seedValue: Buffer.alloc(0),
    sensitive: Buffer.from(priv.d!, "base64url"),
  };
  return { publicArea, sensitiveArea, publicKey };
}

describe("TPM2_LoadExternal", () => {
  it("loads a public key whose Name is nameAlg || H(public) and whose qualified name is its Name", async () => {
    const { client } = await startTpm();
    const { publicArea } = externalKey();
    const out = await client.run("LoadExternal", {
      params: { inPrivate: undefined, inPublic: publicArea, hierarchy: TPM_RH.OWNER },
    });
    const name = Buffer.concat([
      Buffer.from([0x00, 0x0b]),
      createHash("sha256").update(marshal(TPMT_PUBLIC, publicArea)).digest(),
    ]);
    expect(Buffer.from(out.name)).to.deep.equal(name);
    const read = await client.run("ReadPublic", { handles: [out.handle], params: {} });
    expect(Buffer.from(read.qualifiedName)).to.deep.equal(name);
  });

  it("loads a key pair in the null hierarchy that signs as the key it was made from", async () => {
    const { client } = await startTpm();
    const { publicArea, sensitiveArea, publicKey } = externalKey();
    const out = await client.run("LoadExternal", {
      params: { inPrivate: sensitiveArea, inPublic: publicArea, hierarchy: TPM_RH.NULL },
    });
    const message = Buffer.from("external key");
    const signed = await client.run("Sign", {
      handles: [out.handle],
      auths: [pw()],
      params: {
        digest: createHash("sha256").update(message).digest(),
        inScheme: { scheme: A.NULL, details: undefined },
        validation: { tag: TPM_ST.HASHCHECK, hierarchy: TPM_RH.NULL, digest: Buffer.alloc(0) },
      },
    });
    const { signatureR, signatureS } = signed.signature.signature as { signatureR: Uint8Array; signatureS: Uint8Array };
    const rs = Buffer.concat([signatureR, signatureS]);
    expect(verify("sha256", message, { key: publicKey, dsaEncoding: "ieee-p1363" }, rs)).to.equal(true);
  });

  it("rejects what the reference implementation rejects", async () => {
    const { client } = await startTpm();
    const key = externalKey();
    const other = externalKey();
    const load = (inPrivate: TPMT_SENSITIVE | undefined, inPublic: TPMT_PUBLIC, hierarchy: number) =>
      client.call("LoadExternal", { params: { inPrivate, inPublic, hierarchy } });
    const point = key.publicArea.unique as TPMS_ECC_POINT;
    const cases: [string, Promise<{ rc: number }>, number][] = [
      ["key pair outside the null hierarchy", load(key.sensitiveArea, key.publicArea, TPM_RH.OWNER), TPM_RC.HIERARCHY | P3],
      ["lockout is no hierarchy", load(undefined, key.publicArea, TPM_RH.LOCKOUT), TPM_RC.VALUE | P3],
      ["key pair claiming fixedTPM", load(key.sensitiveArea, ecdsaTemplate(), TPM_RH.NULL), TPM_RC.ATTRIBUTES | P2],
      [
        "point off the curve",
        load(undefined, { ...key.publicArea, unique: { x: Buffer.alloc(32, 1), y: Buffer.alloc(32, 2) } }, TPM_RH.OWNER),
        TPM_RC.ECC_POINT | P2,
      ],
      [
        "short coordinate",
        load(undefined, { ...key.publicArea, unique: { x: point.x.subarray(1), y: point.y } }, TPM_RH.OWNER),
        TPM_RC.KEY | P2,
      ],
      ["private key of another public key", load(other.sensitiveArea, key.publicArea, TPM_RH.NULL), TPM_RC.BINDING],
      [
        "sensitive area of another type",
        load({ ...key.sensitiveArea, sensitiveType: A.RSA, sensitive: Buffer.alloc(128, 0x80) }, key.publicArea, TPM_RH.NULL),
        TPM_RC.TYPE | P1,
      ],
    ];
    for (const [what, result, rc] of cases) {
      const r = await result;
      expect(r.rc, what).to.not.equal(TPM_RC.SUCCESS);
      expectRc(r.rc, rc);
    }
  });
});
