import { expect } from "chai";
import { deregisterDevice } from "../../../deployment-service/registration/deregistration.js";
import {
  deregisterPartnerDevice,
  grantPartnerConsent,
  registerPartnerDevices,
  revokePartnerConsent,
} from "../../../deployment-service/registration/partner-registration.js";
import { ProtocolError } from "../../../protocol/index.js";
import { hardwareHashOf, openTestDirectory, type TestDirectory } from "../support/directory.js";

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ProtocolError) return error.code;
    throw error;
  }
  return "resolved";
}

describe("deployment-service/registration/partner-registration", () => {
  let t: TestDirectory;
  beforeEach(async () => {
    t = await openTestDirectory();
  });
  afterEach(async () => t.close());

  it("lets a partner register only while the tenant's consent stands", async () => {
    const devices = [{ serialNumber: "SN-1", hardwareHash: hardwareHashOf(1), purchaseOrderId: "PO-77", groupTag: "Kiosk" }];
    expect(await codeOf(registerPartnerDevices(t.directory, t.tenant, "oem-fabrikam", devices))).to.equal("PARTNER_CONSENT_REQUIRED");
    const consent = await grantPartnerConsent(t.directory, t.tenant, "oem-fabrikam", t.clock);
    expect(consent).to.include({ partnerId: "oem-fabrikam", grantedAt: t.clock.now() });
    const result = await registerPartnerDevices(t.directory, t.tenant, "oem-fabrikam", [
      ...devices,
      { serialNumber: "SN-2", hardwareHash: "bm90IGEgaGFzaA==" },
    ]);
    expect(result.imported.map((d) => [d.serialNumber, d.purchaseOrderId, d.registeredBy])).to.deep.equal([["SN-1", "PO-77", "partner:oem-fabrikam"]]);
    expect(result.errors.map((e) => [e.row, e.code])).to.deep.equal([[2, "HARDWARE_HASH_MALFORMED"]]);

    expect(await revokePartnerConsent(t.directory, t.tenant, "oem-fabrikam")).to.equal(true);
    const later = [{ serialNumber: "SN-3", hardwareHash: hardwareHashOf(3) }];
    expect(await codeOf(registerPartnerDevices(t.directory, t.tenant, "oem-fabrikam", later))).to.equal("PARTNER_CONSENT_REQUIRED");
    expect(await t.directory.store.listDevices(t.tenant.id)).to.have.length(1);
    expect(await codeOf(grantPartnerConsent(t.directory, t.tenant, "bad id!", t.clock))).to.equal("MALFORMED_REQUEST");
  });

  it("lets a partner deregister only its own devices, and the administrator any device", async () => {
    await grantPartnerConsent(t.directory, t.tenant, "oem-a", t.clock);
    await grantPartnerConsent(t.directory, t.tenant, "oem-b", t.clock);
    const { imported } = await registerPartnerDevices(t.directory, t.tenant, "oem-a", [{ serialNumber: "SN-1", hardwareHash: hardwareHashOf(1) }]);
    const mine = imported[0]!;
    expect(await codeOf(deregisterPartnerDevice(t.directory, t.tenant, "oem-b", mine.id))).to.equal("NOT_FOUND");
    await deregisterPartnerDevice(t.directory, t.tenant, "oem-a", mine.id);
    expect(await t.directory.store.findDevice(mine.id)).to.equal(undefined);

    const csvDevice = await t.directory.registerDevice(t.tenant, { serialNumber: "SN-2", hardwareHash: hardwareHashOf(2), registeredBy: "csv" });
    await deregisterDevice(t.directory, t.tenant, csvDevice.id);
    expect(await codeOf(deregisterDevice(t.directory, t.tenant, csvDevice.id))).to.equal("NOT_FOUND");
  });
});
