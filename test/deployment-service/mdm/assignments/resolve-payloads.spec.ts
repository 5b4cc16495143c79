import { expect } from "chai";
import { payloadsFor, type PayloadRecord, type PayloadSpec } from "../../../../deployment-service/mdm/index.js";
import { ProtocolError } from "../../../../protocol/index.js";

let next = 0;
function record(spec: Partial<PayloadSpec> & Pick<PayloadSpec, "kind">, assignments: Partial<PayloadSpec["assignments"]>): PayloadRecord {
  next += 1;
  const full = { name: `p${next}`, context: "device", ...spec, assignments: { allDevices: false, allUsers: false, groups: [], ...assignments } } as PayloadSpec;
  return { payloadId: `id-${next}`, spec: full, content: undefined, createdAt: next };
}

describe("deployment-service/mdm/assignments/resolve-payloads: what a device gets", () => {
  const everyDevice = record({ kind: "policy" }, { allDevices: true });
  const sales = record({ kind: "policy" }, { groups: ["sales"] });
  const finance = record({ kind: "script" }, { groups: ["finance"] });
  const userPolicy = record({ kind: "policy", context: "user" }, { groups: ["sales"] });
  const everyUser = record({ kind: "policy" }, { allUsers: true });
  const catalogue = [everyDevice, sales, finance, userPolicy, everyUser];

  it("gives a device without a user what is assigned to all devices and its groups, in device context only", () => {
    const got = payloadsFor(catalogue, { groupIds: ["sales"], preProvisioning: false });
    expect(got.map((payload) => payload.payloadId)).to.deep.equal([everyDevice.payloadId, sales.payloadId]);
  });

  it("adds user-context and all-users payloads once a user enrolled", () => {
    const got = payloadsFor(catalogue, { groupIds: ["sales"], userPrincipalName: "ada@contoso.example", preProvisioning: false });
    expect(got.map((payload) => payload.payloadId)).to.deep.equal([everyDevice.payloadId, sales.payloadId, userPolicy.payloadId, everyUser.payloadId]);
  });

  it("refuses Win32 and MSI apps together on a pre-provisioned device, and allows them elsewhere", () => {
    const apps = [record({ kind: "win32" }, { groups: ["kiosk"] }), record({ kind: "msi" }, { allDevices: true })];
    expect(payloadsFor(apps, { groupIds: ["kiosk"], preProvisioning: false })).to.have.length(2);
    expect(payloadsFor(apps, { groupIds: [], preProvisioning: true })).to.have.length(1);
    let code: string | undefined;
    try {
      payloadsFor(apps, { groupIds: ["kiosk"], preProvisioning: true });
    } catch (error) {
      code = error instanceof ProtocolError ? error.code : undefined;
    }
    expect(code).to.equal("PAYLOAD_MIXED_APP_TYPES");
  });
});
