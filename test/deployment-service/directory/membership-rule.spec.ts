import { expect } from "chai";
import {
  MembershipRuleError,
  evaluateMembershipRule,
  parseMembershipRule,
  type RuleDevice,
} from "../../../deployment-service/directory/membership-rule.js";

function device(physicalIds: string[], overrides: Partial<RuleDevice> = {}): RuleDevice {
  return {
    devicePhysicalIds: physicalIds,
    deviceId: "7f3a0a52-8b0e-4c43-9a39-6f6f2b3f1a11",
    displayName: "SN-1",
    deviceManufacturer: "Contoso",
    deviceModel: "Laptop 7",
    enrollmentProfileName: "",
    ...overrides,
  };
}

const matches = (rule: string, subject: RuleDevice): boolean => evaluateMembershipRule(parseMembershipRule(rule), subject);

function parseError(rule: string): MembershipRuleError {
  try {
    parseMembershipRule(rule);
  } catch (error) {
    if (error instanceof MembershipRuleError) return error;
    throw error;
  }
  throw new Error(`rule parsed: ${rule}`);
}

describe("deployment-service/directory/membership-rule", () => {
  const tagged = device(["[ZTDID]:7f3a0a52", "[OrderID]:179887111881", "[PurchaseOrderId]:76222342342"]);
  const untagged = device(["[ZTDID]:0b1c"]);
  const notAutopilot = device(["[GID]:g:6966"]);

  it("evaluates the rules Autopilot documents", () => {
    const all = `(device.devicePhysicalIDs -any (_ -contains "[ZTDID]"))`;
    const tag = `(device.devicePhysicalIds -any (_ -eq "[OrderID]:179887111881"))`;
    const po = `(device.devicePhysicalIds -any (_ -eq "[PurchaseOrderId]:76222342342"))`;
    expect([tagged, untagged, notAutopilot].map((d) => matches(all, d))).to.deep.equal([true, true, false]);
    expect([tagged, untagged, notAutopilot].map((d) => matches(tag, d))).to.deep.equal([true, false, false]);
    expect([tagged, untagged].map((d) => matches(po, d))).to.deep.equal([true, false]);
  });

  it("compares case-insensitively and takes operators in any case", () => {
    expect(matches(`device.devicePhysicalIds -ANY (_ -EQ "[orderid]:179887111881")`, tagged)).to.equal(true);
    expect(matches(`device.deviceManufacturer -eq "contoso"`, tagged)).to.equal(true);
  });

  it("combines with -and, -or, -not and parentheses, -and binding tighter than -or", () => {
    expect(matches(`device.deviceModel -eq "x" -or device.deviceModel -eq "Laptop 7" -and device.deviceManufacturer -eq "nope"`, tagged)).to.equal(
      false,
    );
    expect(matches(`(device.deviceModel -eq "x" -or device.deviceModel -eq "Laptop 7") -and -not (device.deviceManufacturer -eq "nope")`, tagged)).to.equal(
      true,
    );
  });

  it("knows every string operator, lists, -all, regular expressions and null", () => {
    expect(matches(`device.deviceModel -startsWith "lap"`, tagged)).to.equal(true);
    expect(matches(`device.deviceModel -notStartsWith "lap"`, tagged)).to.equal(false);
    expect(matches(`device.deviceModel -notContains "top"`, tagged)).to.equal(false);
    expect(matches(`device.deviceModel -ne "Laptop 7"`, tagged)).to.equal(false);
    expect(matches(`device.deviceModel -match "^laptop [0-9]$"`, tagged)).to.equal(true);
    expect(matches(`device.deviceModel -notMatch "^laptop"`, tagged)).to.equal(false);
    expect(matches(`device.deviceModel -in ["Laptop 5", "Laptop 7"]`, tagged)).to.equal(true);
    expect(matches(`device.deviceModel -notIn ["Laptop 5", "Laptop 7"]`, tagged)).to.equal(false);
    expect(matches(`device.devicePhysicalIds -all (_ -startsWith "[")`, tagged)).to.equal(true);
    expect(matches(`device.devicePhysicalIds -all (_ -contains "[ZTDID]")`, tagged)).to.equal(false);
    expect(matches(`device.enrollmentProfileName -eq null`, tagged)).to.equal(true);
    expect(matches(`device.displayName -eq "say ´"hi´""`.replaceAll("´", "`"), device([], { displayName: 'say "hi"' }))).to.equal(true);
  });

  it("explains where a rule goes wrong", () => {
    const cases: [string, RegExp, number][] = [
      [`(device.devicePhysicalIds -any (_ -eq "[OrderID]:x")`, /expected '\)', found the end of the rule/, 52],
      [`device.devicePhysicalIds -eq "[ZTDID]"`, /use -any or -all/, 0],
      [`device.deviceModel -any (_ -eq "x")`, /multi-valued/, 19],
      [`device.serialNumber -eq "x"`, /unknown device property serialNumber/, 7],
      [`user.department -eq "x"`, /only device properties/, 0],
      [`device.deviceModel -like "x"`, /unknown operator -like/, 19],
      [`device.deviceModel -eq "x`, /unterminated string/, 23],
      [`device.deviceModel -in "x"`, /needs a list/, 19],
      [`device.deviceModel -match "("`, /not a regular expression/, 19],
      [`device.deviceModel -eq "x" device.deviceModel -eq "y"`, /unexpected device/, 27],
      [`device.devicePhysicalIds -any (x -eq "y")`, /expected '_'/, 31],
      [`  `, /empty/, 0],
      [`device.deviceModel -eq "x" ; drop`, /unexpected character ';'/, 27],
    ];
    for (const [rule, message, position] of cases) {
      const error = parseError(rule);
      expect(error.message, rule).to.match(message);
      expect(error.position, rule).to.equal(position);
      expect(error.code).to.equal("MEMBERSHIP_RULE_INVALID");
    }
    expect(parseError("device.deviceModel -eq " + '"' + "x".repeat(4000) + '"').message).to.match(/at most 3072/);
  });
});
