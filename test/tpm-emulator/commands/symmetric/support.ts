// SYMCIPHER keys whose key bytes the test chose, so node:crypto can check every cipher text.
import {
  TPMA_OBJECT as O,
  TPM_ALG as A,
  TPM_RH,
  pw,
  type TPMT_PUBLIC,
  type TpmClient,
} from "../../../../tpm2/index.js";
import { EMPTY } from "../key-fixture.js";

export const CIPHER = O.fixedTPM | O.fixedParent | O.userWithAuth | O.noDA | O.sign | O.decrypt;

export function aesTemplate(keyBits: number, mode: number = A.NULL, attributes = CIPHER): TPMT_PUBLIC {
  return {
    type: A.SYMCIPHER,
    nameAlg: A.SHA256,
    objectAttributes: attributes,
    authPolicy: EMPTY,
    parameters: { sym: { algorithm: A.AES, keyBits, mode } },
    unique: EMPTY,
  };
}

/** A primary AES key with the given key bytes. */
export async function aesKey(client: TpmClient, key: Buffer, mode: number = A.NULL, attributes = CIPHER): Promise<number> {
  const out = await client.run("CreatePrimary", {
    handles: [TPM_RH.OWNER],
    auths: [pw()],
    params: { inSensitive: { userAuth: EMPTY, data: key }, inPublic: aesTemplate(key.length * 8, mode, attributes), outsideInfo: EMPTY, creationPCR: [] },
  });
  return out.handle;
}

export const NODE_MODE: Record<number, string> = { [A.CFB]: "cfb", [A.CBC]: "cbc", [A.CTR]: "ctr", [A.OFB]: "ofb", [A.ECB]: "ecb" };
