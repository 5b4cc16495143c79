import { expect } from "chai";
import {
  TPMS_ATTEST,
  TPM_RC,
  TPM_RH,
  TPM_ST,
  akTemplate,
  pw,
  unmarshal,
  type TpmClient,
} from "../../../../tpm2/index.js";
import type { TpmEmulator } from "../../../../tpm-emulator/index.js";
import { EMPTY, NULL_SCHEME, atHandle, createPrimary, startedTpm, storageKeyTemplate, verifiesWithNode } from "../key-fixture.js";

const QUALIFYING = Buffer.from("nonce-1234");

describe("TPM2_GetTime", () => {
  let client: TpmClient;
  let tpm: TpmEmulator;
  before(async () => ({ client, tpm } = await startedTpm()));

  const getTime = (privacy: number, signer: number, qualifyingData: Uint8Array = QUALIFYING) =>
    client.call("GetTime", { handles: [privacy, signer], auths: [pw(), pw()], params: { qualifyingData, inScheme: NULL_SCHEME } });

  function timeOf(bytes: Uint8Array) {
    const attest = unmarshal(TPMS_ATTEST, bytes);
    expect(attest.type).to.equal(TPM_ST.ATTEST_TIME);
    return { attest, info: attest.attested as { time: { time: bigint; clockInfo: { resetCount: number; restartCount: number; clock: bigint } }; firmwareVersion: bigint } };
  }

  const firmware = () => (BigInt(tpm.runtime.state.identity.firmwareVersion1 >>> 0) << 32n) | BigInt(tpm.runtime.state.identity.firmwareVersion2 >>> 0);

  it("an endorsement key signs the time; every field is in clear and node:crypto verifies the signature", async () => {
    const ak = await createPrimary(client, TPM_RH.ENDORSEMENT, akTemplate("ecc"));
    const out = await getTime(TPM_RH.ENDORSEMENT, ak.handle);
    expect(out.rc).to.equal(TPM_RC.SUCCESS);
    const { timeInfo, signature } = out.response!;
    expect(verifiesWithNode(ak.outPublic, timeInfo, signature)).to.equal(true);
    const { attest, info } = timeOf(timeInfo);
    expect(Buffer.from(attest.extraData).equals(QUALIFYING)).to.equal(true);
    expect(attest.clockInfo.resetCount).to.equal(tpm.runtime.state.resetCount);
    expect(attest.firmwareVersion).to.equal(firmware());
    expect(info.firmwareVersion).to.equal(firmware());
    expect(info.time.clockInfo.resetCount).to.equal(tpm.runtime.state.resetCount);
    await client.flush(ak.handle);
  });

  it("an owner key: the outer counters are obfuscated, the TPMS_TIME_ATTEST_INFO inside stays in clear", async () => {
    const ak = await createPrimary(client, TPM_RH.OWNER, akTemplate("rsa"));
    const out = await getTime(TPM_RH.ENDORSEMENT, ak.handle);
    const { attest, info } = timeOf(out.response!.timeInfo);
    expect(verifiesWithNode(ak.outPublic, out.response!.timeInfo, out.response!.signature)).to.equal(true);
    expect(attest.firmwareVersion).to.not.equal(firmware());
    expect(info.firmwareVersion).to.equal(firmware());
    expect(info.time.clockInfo.resetCount).to.equal(tpm.runtime.state.resetCount);
    expect(info.time.clockInfo.restartCount).to.equal(tpm.runtime.state.restartCount);
    await client.flush(ak.handle);
  });

  it("TPM_RH_NULL as signer: an unsigned attestation", async () => {
    const out = await getTime(TPM_RH.ENDORSEMENT, TPM_RH.NULL, EMPTY);
    expect(out.response!.signature.sigAlg).to.equal(0x0010);
    expect(timeOf(out.response!.timeInfo).info.firmwareVersion).to.equal(firmware());
  });

  it("refuses another privacy administrator than the endorsement hierarchy (TPM_RC_VALUE + H1) and a decryption key (TPM_RC_KEY + H2)", async () => {
    expect((await getTime(TPM_RH.OWNER, TPM_RH.NULL)).rc).to.equal(atHandle(TPM_RC.VALUE, 1));
    const key = await createPrimary(client, TPM_RH.OWNER, storageKeyTemplate("ecc"));
    expect((await getTime(TPM_RH.ENDORSEMENT, key.handle)).rc).to.equal(atHandle(TPM_RC.KEY, 2));
    await client.flush(key.handle);
  });
});
