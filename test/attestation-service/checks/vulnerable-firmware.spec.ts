import { expect } from "chai";
import { checkFirmwareNotBlocked, isFirmwareBlocked } from "../../../attestation-service/checks/vulnerable-firmware.js";
import { expectCode } from "../support/expect-code.js";

const IFX = 0x49465800;
const STM = 0x53544d20;
const v = (major: number, minor: number) => ((major << 16) | minor) >>> 0;

describe("checks/vulnerable-firmware", () => {
  it("flags exactly ADV170012's Infineon ranges", () => {
    const blocked = [[4, 0], [4, 33], [4, 40], [4, 42], [5, 61], [6, 42], [7, 61], [133, 32]];
    const fine = [[4, 34], [4, 39], [4, 43], [5, 62], [6, 43], [7, 62], [133, 33], [16, 10], [8, 0]];
    for (const [major, minor] of blocked) expect(isFirmwareBlocked(IFX, { major: major!, minor: minor! }), `${major}.${minor}`).to.equal(true);
    for (const [major, minor] of fine) expect(isFirmwareBlocked(IFX, { major: major!, minor: minor! }), `${major}.${minor}`).to.equal(false);
    expect(isFirmwareBlocked(STM, { major: 7, minor: 61 })).to.equal(false);
  });
  it("refuses blocked reported firmware (TPM_FIRMWARE_BLOCKED)", async () => {
    await expectCode(() => checkFirmwareNotBlocked(IFX, v(7, 61)), "TPM_FIRMWARE_BLOCKED");
    expect(() => checkFirmwareNotBlocked(IFX, v(7, 85))).to.not.throw();
  });
  it("cross-checks the EK certificate's firmware unless the reported one is newer (an update)", async () => {
    await expectCode(() => checkFirmwareNotBlocked(IFX, v(4, 20), v(4, 32)), "TPM_FIRMWARE_BLOCKED");
    await expectCode(() => checkFirmwareNotBlocked(IFX, v(4, 41), v(4, 41)), "TPM_FIRMWARE_BLOCKED");
    expect(() => checkFirmwareNotBlocked(IFX, v(7, 85), v(7, 40))).to.not.throw();
  });
});
