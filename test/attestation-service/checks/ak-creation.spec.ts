import { expect } from "chai";
import { checkAkCreation, type AkCreationEvidence } from "../../../attestation-service/checks/ak-creation.js";
import { decodeAttest, decodeCreationData, decodePublic, decodeSignature } from "../../../attestation-service/evidence.js";
import { TPM2B_PUBLIC, marshal } from "../../../tpm2/index.js";
import { expectCode } from "../support/expect-code.js";
import type { TestDevice } from "../support/test-device.js";
import { evidenceDevices } from "./tpm-evidence.js";

function evidenceOf(device: TestDevice, akOf: TestDevice = device): AkCreationEvidence {
  const attest = decodeAttest("attest", device.evidence.attest);
  return {
    ak: decodePublic("ak", marshal(TPM2B_PUBLIC, akOf.ak.publicArea)),
    creationData: decodeCreationData("creationData", device.evidence.creationData),
    attestBytes: attest.bytes,
    attest: attest.attest,
    signature: decodeSignature("signature", device.evidence.signature),
  };
}

describe("checks/ak-creation", function () {
  this.timeout(30_000);
  it("accepts CertifyCreation of the AK by itself", async () => {
    const { device } = await evidenceDevices();
    expect(() => checkAkCreation(evidenceOf(device))).to.not.throw();
  });
  it("refuses evidence for another AK, other creation data, or a tampered attestation (AK_CREATION_INVALID)", async () => {
    const { device, other } = await evidenceDevices();
    await expectCode(() => checkAkCreation(evidenceOf(device, other)), "AK_CREATION_INVALID");
    const evidence = evidenceOf(device);
    await expectCode(() => checkAkCreation({ ...evidence, creationData: evidenceOf(other).creationData }), "AK_CREATION_INVALID");
    const tampered = Buffer.from(evidence.attestBytes);
    tampered[tampered.length - 1]! ^= 1;
    await expectCode(() => checkAkCreation({ ...evidence, attestBytes: tampered }), "AK_CREATION_INVALID");
    await expectCode(() => checkAkCreation({ ...evidence, signature: evidenceOf(other).signature }), "AK_CREATION_INVALID");
  });
});
