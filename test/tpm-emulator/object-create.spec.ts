import { expect } from "chai";
import {
  TPMA_OBJECT as O,
  TPM_ALG as A,
  TPM_RC,
  TPM_RH,
  TpmError,
  pw,
  type TPMT_PUBLIC,
} from "../../tpm2/index.js";
import { TpmEmulator } from "../../tpm-emulator/index.js";
import {
  adjustAuthSize,
  createChecks,
  createPrimaryObject,
  isExternal,
  isParent,
  isTemporary,
} from "../../tpm-emulator/object-create.js";
import {
  AES128_CFB,
  STORAGE,
  creation,
  ecdsaTemplate,
  ekTemplateEcc,
  srkTemplate,
  startTpm,
} from "./commands/object/support.js";

function rcOf(f: () => unknown): number | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof TpmError) return e.rc;
    throw e;
  }
  return undefined;
}

describe("object-create", () => {
  describe("createPrimaryObject", () => {
    it("makes the same object TPM2_CreatePrimary makes, without command bytes", async () => {
      const { tpm, client } = await startTpm({ seed: Buffer.alloc(32, 7) });
      const direct = createPrimaryObject(tpm.runtime, TPM_RH.ENDORSEMENT, ekTemplateEcc());
      const viaCommand = await client.run("CreatePrimary", {
        handles: [TPM_RH.ENDORSEMENT],
        auths: [pw()],
        params: creation(ekTemplateEcc()),
      });
      expect(direct.name).to.deep.equal(Buffer.from(viaCommand.name));
      expect(direct.primary).to.equal(true);
      expect(direct.hierarchy).to.equal(TPM_RH.ENDORSEMENT);
      expect(direct.sensitive?.seedValue).to.have.length(32);
      expect(tpm.runtime.objects.free).to.equal(tpm.runtime.limits.objectSlots - 1);
    });

    it("runs the checks of TPM2_CreatePrimary", () => {
      const tpm = TpmEmulator.create().runtime;
      expect(rcOf(() => createPrimaryObject(tpm, TPM_RH.LOCKOUT, srkTemplate()))).to.equal(TPM_RC.VALUE);
      const noSymmetric = { ...srkTemplate(), parameters: { ...ekTemplateEcc().parameters, symmetric: { algorithm: A.NULL } } };
      expect(rcOf(() => createPrimaryObject(tpm, TPM_RH.OWNER, noSymmetric))).to.equal(TPM_RC.SYMMETRIC);
      const longAuth = { userAuth: Buffer.alloc(33, 1), data: Buffer.alloc(0) };
      expect(rcOf(() => createPrimaryObject(tpm, TPM_RH.OWNER, srkTemplate(), longAuth))).to.equal(TPM_RC.SIZE);
    });

    it("binds an endorsement primary's seedValue, not its key, to the owner and endorsement proofs", () => {
      const tpm = TpmEmulator.create({ seed: Buffer.alloc(32, 9) }).runtime;
      const ek = createPrimaryObject(tpm, TPM_RH.ENDORSEMENT, srkTemplate());
      const srk = createPrimaryObject(tpm, TPM_RH.OWNER, srkTemplate());
      tpm.state.endorsement = { ...tpm.state.endorsement, proof: Buffer.alloc(64, 1) };
      const ekAfter = createPrimaryObject(tpm, TPM_RH.ENDORSEMENT, srkTemplate());
      const srkAfter = createPrimaryObject(tpm, TPM_RH.OWNER, srkTemplate());
      expect(ekAfter.name).to.deep.equal(ek.name);
      expect(ekAfter.sensitive!.seedValue).to.not.deep.equal(ek.sensitive!.seedValue);
      expect(srkAfter.sensitive!.seedValue).to.deep.equal(srk.sensitive!.seedValue);
    });

    it("keeps a seedValue only where children need it", () => {
      const tpm = TpmEmulator.create().runtime;
      expect(createPrimaryObject(tpm, TPM_RH.OWNER, srkTemplate()).sensitive!.seedValue).to.have.length(32);
      expect(createPrimaryObject(tpm, TPM_RH.OWNER, ecdsaTemplate()).sensitive!.seedValue).to.have.length(0);
    });

    it("pads the userAuth to the nameAlg digest, as the reference implementation stores it", () => {
      const tpm = TpmEmulator.create().runtime;
      const object = createPrimaryObject(tpm, TPM_RH.OWNER, srkTemplate(), {
        userAuth: Buffer.from("pw"),
        data: Buffer.alloc(0),
      });
      expect(Buffer.from(object.sensitive!.authValue)).to.deep.equal(Buffer.concat([Buffer.from("pw"), Buffer.alloc(30)]));
    });
  });

  describe("template checks", () => {
    it("adjustAuthSize trims trailing zeros before the size check", () => {
      expect(adjustAuthSize(Buffer.concat([Buffer.alloc(32, 1), Buffer.alloc(8)]), A.SHA256)).to.have.length(32);
      expect(rcOf(() => adjustAuthSize(Buffer.alloc(21, 1), A.SHA1))).to.equal(TPM_RC.SIZE);
    });

    it("createChecks lets only a duplicable restricted symmetric key take its key from the caller", () => {
      const restrictedAes: TPMT_PUBLIC = {
        type: A.SYMCIPHER,
        nameAlg: A.SHA256,
        objectAttributes: O.fixedTPM | O.fixedParent | O.userWithAuth | O.restricted | O.decrypt,
        authPolicy: Buffer.alloc(0),
        parameters: { sym: AES128_CFB },
        unique: Buffer.alloc(0),
      };
      expect(rcOf(() => createChecks(undefined, restrictedAes, 16))).to.equal(TPM_RC.ATTRIBUTES);
      const duplicable = { ...restrictedAes, objectAttributes: O.userWithAuth | O.restricted | O.decrypt };
      expect(rcOf(() => createChecks(undefined, duplicable, 16))).to.equal(undefined);
      const tpmMade = { ...restrictedAes, objectAttributes: restrictedAes.objectAttributes | O.sensitiveDataOrigin };
      expect(rcOf(() => createChecks(undefined, tpmMade, 0))).to.equal(undefined);
    });

    it("createChecks wants SP800-108 for a derivation parent", () => {
      const derivationParent: TPMT_PUBLIC = {
        type: A.KEYEDHASH,
        nameAlg: A.SHA256,
        objectAttributes: STORAGE,
        authPolicy: Buffer.alloc(0),
        parameters: {
          scheme: { scheme: A.XOR, details: { hashAlg: A.SHA256, kdf: A.KDF2 } },
        },
        unique: Buffer.alloc(0),
      };
      expect(rcOf(() => createChecks(undefined, derivationParent, 0))).to.equal(TPM_RC.SCHEME);
    });
  });

  describe("object kinds", () => {
    it("tells parents, external and temporary objects apart", async () => {
      const { tpm, client } = await startTpm();
      const srk = createPrimaryObject(tpm.runtime, TPM_RH.OWNER, srkTemplate());
      const nullSrk = createPrimaryObject(tpm.runtime, TPM_RH.NULL, srkTemplate());
      const signer = createPrimaryObject(tpm.runtime, TPM_RH.OWNER, ecdsaTemplate());
      const external = await client.run("LoadExternal", {
        params: { inPrivate: undefined, inPublic: srk.publicArea, hierarchy: TPM_RH.OWNER },
      });
      const loaded = tpm.runtime.requireObject(external.handle);
      expect([isParent(srk), isParent(nullSrk), isParent(signer), isParent(loaded)]).to.deep.equal([true, true, false, false]);
      expect([isExternal(srk), isExternal(loaded)]).to.deep.equal([false, true]);
      expect([isTemporary(srk), isTemporary(nullSrk), isTemporary(loaded)]).to.deep.equal([false, true, true]);
    });
  });
});
