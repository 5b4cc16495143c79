// Duplicable keys (authPolicy = PolicyCommandCode(TPM_CC_Duplicate)) and the policy sessions that satisfy them.
import {
  TPMA_OBJECT as O,
  TPM_ALG as A,
  TPM_CC,
  policyCommandCodeDigest,
  pw,
  withSession,
  type TPMT_PUBLIC,
  type TPMT_SYM_DEF_OBJECT,
  type TpmClient,
} from "../../../../tpm2/index.js";
import { EMPTY } from "../key-fixture.js";
import { eccTemplate } from "../object/support.js";

export const DUPLICATE_POLICY = policyCommandCodeDigest(A.SHA256, Buffer.alloc(32), TPM_CC.Duplicate);
export const DUPLICABLE = O.sensitiveDataOrigin | O.userWithAuth | O.noDA | O.sign;
export const NO_INNER: TPMT_SYM_DEF_OBJECT = { algorithm: A.NULL, keyBits: undefined, mode: undefined };
export const AES128_INNER: TPMT_SYM_DEF_OBJECT = { algorithm: A.AES, keyBits: 128, mode: A.CFB };

/** An ECDSA signing key that may be duplicated with PolicyCommandCode(Duplicate). */
export function duplicableTemplate(attributes = DUPLICABLE): TPMT_PUBLIC {
  return eccTemplate(attributes, { scheme: { scheme: A.ECDSA, details: { hashAlg: A.SHA256 } }, authPolicy: DUPLICATE_POLICY });
}

/** TPM2_Duplicate authorized by a fresh policy session with PolicyCommandCode(Duplicate). */
export async function duplicate(
  client: TpmClient,
  object: number,
  newParent: number,
  symmetricAlg: TPMT_SYM_DEF_OBJECT = NO_INNER,
  encryptionKeyIn: Uint8Array = EMPTY,
) {
  const session = await client.startSession({ type: "policy" });
  await client.run("PolicyCommandCode", { handles: [session.handle], params: { code: TPM_CC.Duplicate } });
  const out = await client.call("Duplicate", {
    handles: [object, newParent],
    auths: [withSession(session, { attributes: 0 })],
    params: { encryptionKeyIn, symmetricAlg },
  });
  if (session.live && out.rc !== 0) await client.flush(session);
  return out;
}

/** TPM2_Import under `parent` with an empty password. */
export function importUnder(
  client: TpmClient,
  parent: number,
  params: { encryptionKey: Uint8Array; objectPublic: TPMT_PUBLIC; duplicate: Uint8Array; inSymSeed: Uint8Array; symmetricAlg: TPMT_SYM_DEF_OBJECT },
) {
  return client.call("Import", { handles: [parent], auths: [pw()], params });
}
