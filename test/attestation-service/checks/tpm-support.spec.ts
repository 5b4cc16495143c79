import { expect } from "chai";
import { checkTpmSupported } from "../../../attestation-service/checks/tpm-support.js";
import type { TpmProperties } from "../../../protocol/index.js";
import { expectCode } from "../support/expect-code.js";

const IFX: TpmProperties = { manufacturer: 0x49465800, firmwareVersion1: 0x10000a, firmwareVersion2: 0, specRevision: 138, specLevel: 0, vendorString: "SLB9672", family: "2.0" };

describe("checks/tpm-support", () => {
  it("accepts a hardware TPM 2.0", () => {
    expect(() => checkTpmSupported(IFX, false)).to.not.throw();
  });
  it("refuses virtual (MSFT) and software (IBM) TPMs unless allowed", async () => {
    for (const manufacturer of [0x4d534654, 0x49424d00]) {
      await expectCode(() => checkTpmSupported({ ...IFX, manufacturer }, false), "TPM_NOT_SUPPORTED");
      expect(() => checkTpmSupported({ ...IFX, manufacturer }, true)).to.not.throw();
    }
  });
  it("refuses a TPM 1.2 even when software TPMs are allowed", async () => {
    await expectCode(() => checkTpmSupported({ ...IFX, family: "1.2" }, true), "TPM_NOT_SUPPORTED");
  });
});
