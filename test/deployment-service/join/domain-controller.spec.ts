import { expect } from "chai";
import { DomainControllerSimulator } from "../../../deployment-service/index.js";

describe("deployment-service/join/domain-controller", () => {
  it("names itself on a virtual host of its NetBIOS domain", () => {
    const dc = new DomainControllerSimulator({ domain: "Corp.Fabrikam.example" });
    expect(dc).to.include({ domain: "corp.fabrikam.example", netbiosDomain: "CORP", hostName: "dc01.corp.ad.apsim.test", reachable: true });
    expect(() => new DomainControllerSimulator({ domain: "localhost" })).to.throw(RangeError);
  });

  it("provisions computer accounts whose fresh password only it and the blob know", () => {
    const dc = new DomainControllerSimulator();
    const first = dc.provisionComputer("APSIM-1");
    expect(dc.hasComputer("APSIM-1")).to.equal(true);
    expect(dc.verifyMachine("APSIM-1", first)).to.equal(true);
    expect(dc.verifyMachine("APSIM-1", `${first}x`)).to.equal(false);
    expect(dc.verifyMachine("APSIM-2", first)).to.equal(false);
    const second = dc.provisionComputer("APSIM-1");
    expect(second).to.not.equal(first);
    expect(dc.verifyMachine("APSIM-1", first)).to.equal(false);
    expect(() => dc.provisionComputer("lower-case")).to.throw(RangeError);
    expect(() => dc.provisionComputer("A".repeat(16))).to.throw(RangeError);
  });

  it("can be switched out of reach and back", () => {
    const dc = new DomainControllerSimulator();
    dc.setReachable(false);
    expect(dc.reachable).to.equal(false);
    dc.setReachable(true);
    expect(dc.reachable).to.equal(true);
  });
});
