/** One in-process TPM shared by the checks that need real TPM evidence (CertifyCreation, Quote). */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { ATTESTATION_API_VERSION, type ChallengeResponse } from "../../../protocol/index.js";
import { TPM2B_ENCRYPTED_SECRET, TPM2B_ID_OBJECT, TPML_PCR_SELECTION, TPM_ALG, makeCredential, marshal } from "../../../tpm2/index.js";
import { TestDevice } from "../support/test-device.js";

let shared: Promise<{ home: string; device: TestDevice; other: TestDevice }> | undefined;

/** Two IFX devices (ECC EK and AK) under one temporary home. */
export function evidenceDevices(): Promise<{ home: string; device: TestDevice; other: TestDevice }> {
  shared ??= (async () => {
    const home = await mkdtemp(path.join(os.tmpdir(), "apsim-evidence-"));
    const device = await TestDevice.create({ home, vendor: "IFX", seed: Buffer.alloc(32, 1) });
    const other = await TestDevice.create({ home, vendor: "IFX", seed: Buffer.alloc(32, 2) });
    return { home, device, other };
  })();
  return shared;
}

/** A challenge as the service makes it, for `device`. */
export function challengeFor(device: TestDevice, nonce = Buffer.alloc(32, 0x4e)): ChallengeResponse {
  const credential = makeCredential({ ekPublic: device.ek.publicArea, objectName: device.ak.name, credential: Buffer.alloc(32, 0x5c) });
  return {
    v: ATTESTATION_API_VERSION,
    sessionId: "s",
    credentialBlob: marshal(TPM2B_ID_OBJECT, credential.credentialBlob),
    encryptedSecret: marshal(TPM2B_ENCRYPTED_SECRET, credential.secret),
    nonce,
    pcrSelection: marshal(TPML_PCR_SELECTION, [{ hash: TPM_ALG.SHA256, pcrSelect: Buffer.from([0xff, 0, 0]) }]),
    expiresAt: 0,
  };
}

after(async () => {
  if (shared !== undefined) await rm((await shared).home, { recursive: true, force: true });
});
