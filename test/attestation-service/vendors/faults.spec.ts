import { expect } from "chai";
import {
  VendorFaultController,
  VendorFaultError,
  formatVendorFault,
  parseVendorFault,
  parseVendorFaultList,
  parseVendorFaultSpec,
  type VendorFaultErrorCode,
} from "../../../attestation-service/index.js";

function errorCodeOf(parse: () => unknown): VendorFaultErrorCode | undefined {
  try {
    parse();
  } catch (error) {
    expect(error).to.be.instanceOf(VendorFaultError);
    return (error as VendorFaultError).code;
  }
  return undefined;
}

describe("attestation-service/vendors/faults", () => {
  describe("the grammar", () => {
    it("parses every fault and reads its canonical text back", () => {
      expect(parseVendorFaultSpec("outage")).to.deep.equal({ kind: "outage" });
      expect(parseVendorFaultSpec("timeout")).to.deep.equal({ kind: "timeout" });
      expect(parseVendorFaultSpec(" slow:200 ")).to.deep.equal({ kind: "slow", ms: 200 });
      expect(parseVendorFaultSpec("error:0.25")).to.deep.equal({ kind: "error", rate: 0.25 });
      expect(parseVendorFaultSpec("error:25%")).to.deep.equal({ kind: "error", rate: 0.25 });
      expect(parseVendorFaultSpec("error:100%")).to.deep.equal({ kind: "error", rate: 1 });
      expect(parseVendorFaultSpec("error:0")).to.deep.equal({ kind: "error", rate: 0 });
      expect(parseVendorFaultSpec("revoked:00ABcd")).to.deep.equal({ kind: "revoked", serial: "00abcd" });
      expect(parseVendorFaultSpec("expired-ca")).to.deep.equal({ kind: "expired-ca" });
      for (const text of ["outage", "timeout", "slow:200", "error:0.25", "revoked:00abcd", "expired-ca"]) {
        expect(formatVendorFault(parseVendorFaultSpec(text))).to.equal(text);
      }
    });

    it("reads VENDOR=FAULT with any case of the vendor code", () => {
      expect(parseVendorFault("INTC=outage")).to.deep.equal({ vendor: "INTC", fault: { kind: "outage" } });
      expect(parseVendorFault("amd=slow:50")).to.deep.equal({ vendor: "AMD", fault: { kind: "slow", ms: 50 } });
    });

    it("refuses bad texts with stable codes", () => {
      expect(errorCodeOf(() => parseVendorFault("INTC"))).to.equal("VENDOR_FAULT_SYNTAX");
      expect(errorCodeOf(() => parseVendorFault("ACME=outage"))).to.equal("VENDOR_UNKNOWN");
      expect(errorCodeOf(() => parseVendorFault("INTC=meltdown"))).to.equal("VENDOR_FAULT_UNKNOWN");
      expect(errorCodeOf(() => parseVendorFaultSpec("outage:1"))).to.equal("VENDOR_FAULT_SYNTAX");
      expect(errorCodeOf(() => parseVendorFaultSpec("slow"))).to.equal("VENDOR_FAULT_ARGUMENT");
      expect(errorCodeOf(() => parseVendorFaultSpec("slow:0"))).to.equal("VENDOR_FAULT_ARGUMENT");
      expect(errorCodeOf(() => parseVendorFaultSpec("slow:-5"))).to.equal("VENDOR_FAULT_ARGUMENT");
      expect(errorCodeOf(() => parseVendorFaultSpec("slow:600001"))).to.equal("VENDOR_FAULT_ARGUMENT");
      expect(errorCodeOf(() => parseVendorFaultSpec("error:1.5"))).to.equal("VENDOR_FAULT_ARGUMENT");
      expect(errorCodeOf(() => parseVendorFaultSpec("error:101%"))).to.equal("VENDOR_FAULT_ARGUMENT");
      expect(errorCodeOf(() => parseVendorFaultSpec("error:abc"))).to.equal("VENDOR_FAULT_ARGUMENT");
      expect(errorCodeOf(() => parseVendorFaultSpec("revoked:xyz"))).to.equal("VENDOR_FAULT_ARGUMENT");
      expect(errorCodeOf(() => parseVendorFaultSpec(`revoked:${"a".repeat(41)}`))).to.equal("VENDOR_FAULT_ARGUMENT");
    });

    it("combines a list per vendor: a later fault of a kind wins, revoked serials add up", () => {
      const set = parseVendorFaultList(["INTC=slow:100", "AMD=outage", "INTC=slow:200", "INTC=revoked:01", "INTC=revoked:02", "intc=revoked:01"]);
      expect(set.AMD).to.deep.equal([{ kind: "outage" }]);
      expect(set.INTC?.map(formatVendorFault)).to.deep.equal(["slow:200", "revoked:02", "revoked:01"]);
      expect(set.IFX).to.equal(undefined);
    });
  });

  describe("the controller", () => {
    it("draws error:RATE outcomes reproducibly: the same seed and fault set fail the same requests", () => {
      const draws = (controller: VendorFaultController) => Array.from({ length: 200 }, () => controller.decide("INTC").error);
      const a = new VendorFaultController(parseVendorFaultList(["INTC=error:0.3"]), 7);
      const b = new VendorFaultController(parseVendorFaultList(["INTC=error:0.3"]), 7);
      const first = draws(a);
      expect(draws(b)).to.deep.equal(first);
      const failures = first.filter(Boolean).length;
      expect(failures).to.be.within(35, 85);
      a.set("INTC", [{ kind: "error", rate: 0.3 }]);
      expect(draws(a), "setting the faults restarts the draws").to.deep.equal(first);
      const otherSeed = new VendorFaultController(parseVendorFaultList(["INTC=error:0.3"]), 8);
      expect(draws(otherSeed)).to.not.deep.equal(first);
    });

    it("decides each fault for its vendor only, and clears", () => {
      const controller = new VendorFaultController(parseVendorFaultList(["AMD=outage", "AMD=slow:20", "AMD=timeout", "QCOM=error:1"]));
      expect(controller.decide("AMD")).to.deep.equal({ slowMs: 20, timeout: true, outage: true, error: false });
      expect(controller.decide("QCOM").error).to.equal(true);
      expect(controller.decide("INTC")).to.deep.equal({ slowMs: 0, timeout: false, outage: false, error: false });
      const changed: string[] = [];
      controller.onChange((vendor) => changed.push(vendor));
      controller.clear("AMD");
      expect(controller.decide("AMD")).to.deep.equal({ slowMs: 0, timeout: false, outage: false, error: false });
      expect(changed).to.deep.equal(["AMD"]);
      expect(Object.keys(controller.all())).to.deep.equal(["QCOM"]);
    });

    it("reports revoked serials and expired-ca per vendor", () => {
      const controller = new VendorFaultController(parseVendorFaultList(["IFX=revoked:0a", "IFX=revoked:0b", "STM=expired-ca"]));
      expect(controller.revokedSerials("IFX")).to.deep.equal(["0a", "0b"]);
      expect(controller.revokedSerials("STM")).to.deep.equal([]);
      expect(controller.servesExpiredCas("STM")).to.equal(true);
      expect(controller.servesExpiredCas("IFX")).to.equal(false);
    });
  });
});
