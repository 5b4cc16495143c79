import { expect } from "chai";
import {
  FleetScenarioError,
  parseFleetFaults,
  parseFleetSeed,
  parseShard,
  parseVendorWeights,
  planFleet,
  shardOf,
} from "../../fleet/scenario.js";

describe("fleet/scenario", () => {
  const vendors = parseVendorWeights("IFX:40,INTC:20");

  it("draws vendors by weight, reproducibly from the seed", () => {
    const plan = planFleet({ devices: 3000, seed: "01", vendors, faults: { tpm: [], vendor: [] } });
    const ifx = plan.filter((d) => d.vendor === "IFX").length;
    expect(ifx / plan.length).to.be.closeTo(2 / 3, 0.04);
    expect(planFleet({ devices: 3000, seed: "01", vendors, faults: { tpm: [], vendor: [] } })).to.deep.equal(plan);
    const other = planFleet({ devices: 3000, seed: "02", vendors, faults: { tpm: [], vendor: [] } });
    expect(other.map((d) => d.seed)).to.not.deep.equal(plan.map((d) => d.seed));
  });

  it("gives each TPM fault to exactly its share of devices, one fault per device", () => {
    const faults = parseFleetFaults("tpm:roca-ek=2%,tpm:no-ek-cert=0.01,vendor:INTC=outage");
    expect(faults.vendor).to.deep.equal([{ vendor: "INTC", fault: "outage" }]);
    const plan = planFleet({ devices: 500, seed: "01", vendors, faults });
    expect(plan.filter((d) => d.faults.includes("roca-ek"))).to.have.length(10);
    expect(plan.filter((d) => d.faults.includes("no-ek-cert"))).to.have.length(5);
    expect(plan.every((d) => d.faults.length <= 1)).to.equal(true);
  });

  it("splits a fleet into disjoint shards that cover it", () => {
    const plan = planFleet({ devices: 101, seed: "01", vendors, faults: { tpm: [], vendor: [] } });
    const first = shardOf(plan, parseShard("1/2"));
    const second = shardOf(plan, parseShard("2/2"));
    const indexes = [...first, ...second].map((d) => d.index).sort((a, b) => a - b);
    expect(indexes).to.deep.equal(plan.map((d) => d.index));
    expect(first.length + second.length).to.equal(101);
  });

  it("refuses malformed input with a stable code", () => {
    for (const bad of [() => parseVendorWeights("IFX:x"), () => parseVendorWeights(""), () => parseVendorWeights("IFX,IFX")]) {
      expect(bad).to.throw(FleetScenarioError);
    }
    expect(() => parseFleetFaults("tpm:roca-ek=150%")).to.throw(FleetScenarioError);
    expect(() => parseFleetFaults("tpm:roca-ek=60%,tpm:no-ek-cert=60%")).to.throw(/more than 100%/);
    expect(() => parseFleetFaults("disk:full=1%")).to.throw(FleetScenarioError);
    expect(() => parseShard("3/2")).to.throw(FleetScenarioError);
    expect(() => parseShard("0/2")).to.throw(FleetScenarioError);
    expect(() => parseFleetSeed("xyz")).to.throw(FleetScenarioError);
    try {
      parseShard("a/b");
    } catch (error) {
      expect((error as FleetScenarioError).code).to.equal("FLEET_SCENARIO_INVALID");
    }
  });
});
