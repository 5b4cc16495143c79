import { createDecipheriv, createHmac } from "node:crypto";
import { expect } from "chai";
import {
  TPMT_SENSITIVE,
  TPM_ALG as A,
  TPM_RC,
  TPM_RH,
  TpmError,
  aesCfbEncrypt,
  kdfa,
  unmarshal,
  type TPMT_SENSITIVE as Sensitive,
} from "../../tpm2/index.js";
import { TpmEmulator } from "../../tpm-emulator/index.js";
import { createPrimaryObject } from "../../tpm-emulator/object-create.js";
import { unwrapPrivate, wrapPrivate } from "../../tpm-emulator/object-protection.js";
import { srkTemplate } from "./commands/object/support.js";

const EMPTY = Buffer.alloc(0);
const NAME = Buffer.concat([Buffer.from([0x00, 0x0b]), Buffer.alloc(32, 0x5a)]);
const SENSITIVE: Sensitive = {
  sensitiveType: A.ECC,
  authValue: Buffer.alloc(32),
  seedValue: EMPTY,
  sensitive: Buffer.alloc(32, 0x42),
};

function parents() {
  const tpm = TpmEmulator.create().runtime;
  return {
    parent: createPrimaryObject(tpm, TPM_RH.OWNER, srkTemplate()),
    other: createPrimaryObject(tpm, TPM_RH.ENDORSEMENT, srkTemplate()),
  };
}

function rcOf(f: () => unknown): number | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof TpmError) return e.rc;
    throw e;
  }
  return undefined;
}

describe("object-protection", () => {
  it("wraps as integrity || AES-CFB(zero IV) of the TPM2B_SENSITIVE, keyed from the parent's seedValue", () => {
    const { parent } = parents();
    const seed = parent.sensitive!.seedValue;
    const wrapped = wrapPrivate(parent, NAME, SENSITIVE);

    expect(wrapped.readUInt16BE(0)).to.equal(32);
    const integrity = wrapped.subarray(2, 34);
    const encrypted = wrapped.subarray(34);
    const hmacKey = kdfa(A.SHA256, seed, "INTEGRITY", EMPTY, EMPTY, 256);
    expect(createHmac("sha256", hmacKey).update(encrypted).update(NAME).digest()).to.deep.equal(integrity);

    const symKey = kdfa(A.SHA256, seed, "STORAGE", NAME, EMPTY, 128);
    const decipher = createDecipheriv("aes-128-cfb", symKey, Buffer.alloc(16));
    const plain = Buffer.concat([decipher.update(encrypted), decipher.final()]);
    expect(plain.readUInt16BE(0)).to.equal(plain.length - 2);
    expect(unmarshal(TPMT_SENSITIVE, plain.subarray(2))).to.deep.equal(SENSITIVE);
  });

  it("unwraps what it wrapped, for the same Name under the same parent only", () => {
    const { parent, other } = parents();
    const wrapped = wrapPrivate(parent, NAME, SENSITIVE);
    expect(unwrapPrivate(parent, NAME, wrapped)).to.deep.equal(SENSITIVE);
    const otherName = Buffer.from(NAME);
    otherName[5] = otherName[5]! ^ 1;
    expect(rcOf(() => unwrapPrivate(parent, otherName, wrapped))).to.equal(TPM_RC.INTEGRITY);
    expect(rcOf(() => unwrapPrivate(other, NAME, wrapped))).to.equal(TPM_RC.INTEGRITY);
    for (let i = 0; i < wrapped.length; i += 7) {
      const bad = Buffer.from(wrapped);
      bad[i] = bad[i]! ^ 0x80;
      expect(rcOf(() => unwrapPrivate(parent, NAME, bad)), `byte ${i}`).to.not.equal(undefined);
    }
  });

  it("answers TPM_RC_SENSITIVE for an authentic blob that does not hold one TPMT_SENSITIVE", () => {
    const { parent } = parents();
    const seed = parent.sensitive!.seedValue;
    const body = Buffer.concat([Buffer.from([0x00, 0x03]), Buffer.from("abc")]);
    const encrypted = aesCfbEncrypt(kdfa(A.SHA256, seed, "STORAGE", NAME, EMPTY, 128), Buffer.alloc(16), body);
    const hmacKey = kdfa(A.SHA256, seed, "INTEGRITY", EMPTY, EMPTY, 256);
    const integrity = createHmac("sha256", hmacKey).update(encrypted).update(NAME).digest();
    const blob = Buffer.concat([Buffer.from([0x00, 0x20]), integrity, encrypted]);
    expect(rcOf(() => unwrapPrivate(parent, NAME, blob))).to.equal(TPM_RC.SENSITIVE);
  });
});
