import { expect } from "chai";
import { VENDORS, findVendor, vendorByManufacturerId } from "../../certs/index.js";

/** TCG vendor ID: the code's ASCII bytes, big-endian, padded to four bytes as registered. */
const REGISTERED: Record<string, number> = {
  IFX: 0x49465800,
  STM: 0x53544d20,
  NTC: 0x4e544300,
  INTC: 0x494e5443,
  AMD: 0x414d4400,
  QCOM: 0x51434f4d,
  IBM: 0x49424d00,
};

describe("certs/vendors", () => {
  it("lists the seven simulated vendors with their TCG vendor IDs", () => {
    expect(VENDORS.map((vendor) => vendor.code)).to.have.members(Object.keys(REGISTERED));
    for (const vendor of VENDORS) {
      expect(vendor.manufacturerId, vendor.code).to.equal(REGISTERED[vendor.code]);
      const ascii = Buffer.alloc(4);
      ascii.writeUInt32BE(vendor.manufacturerId);
      expect(ascii.toString("latin1").replace(/[\0 ]+$/, ""), vendor.code).to.equal(vendor.code);
    }
  });

  it("marks each vendor discrete, firmware or software (IBM: swtpm), with its TrustedTpm.cab folder", () => {
    const kinds = Object.fromEntries(VENDORS.map((vendor) => [vendor.code, vendor.kind]));
    expect(kinds).to.deep.equal({
      IFX: "discrete",
      STM: "discrete",
      NTC: "discrete",
      INTC: "firmware",
      AMD: "firmware",
      QCOM: "firmware",
      IBM: "software",
    });
    expect(VENDORS.map((vendor) => vendor.trustBundleFolder)).to.have.members(["Infineon", "STMicro", "Nuvoton", "Intel", "AMD", "QC", "IBM"]);
  });

  it("defaults Intel's EK certificates to the explicit-FALSE quirk and nobody else's", () => {
    for (const vendor of VENDORS) {
      expect(vendor.ekQuirks, vendor.code).to.deep.equal(vendor.code === "INTC" ? { explicitFalse: true } : {});
    }
  });

  it("gives every vendor a fixed virtual host without a port", () => {
    for (const vendor of VENDORS) {
      expect(vendor.host).to.equal(`pki.${vendor.code.toLowerCase()}.vendors.apsim.test`);
    }
  });

  it("has one root and one issuing CA per EK CA kind, and an issuing CA for every EK kind", () => {
    for (const vendor of VENDORS) {
      expect(vendor.hierarchies.map((hierarchy) => hierarchy.kind)).to.deep.equal([...vendor.ekCaKinds]);
      for (const ekKind of ["rsa", "ecc"] as const) {
        expect(vendor.ekCaKinds, `${vendor.code} ${ekKind}`).to.include(vendor.ekIssuerKind[ekKind]);
      }
    }
  });

  it("models the real vendors' chains: Infineon per-kind CAs, Intel ECDSA for RSA EKs, AMD RSA only", () => {
    const ifx = findVendor("IFX");
    expect(ifx?.ekCaKinds).to.deep.equal(["rsa", "ecc"]);
    expect(ifx?.ekIssuerKind).to.deep.equal({ rsa: "rsa", ecc: "ecc" });
    expect(findVendor("INTC")?.ekIssuerKind).to.deep.equal({ rsa: "ecc", ecc: "ecc" });
    expect(findVendor("AMD")?.ekCaKinds).to.deep.equal(["rsa"]);
    expect(findVendor("AMD")?.ekIssuerKind).to.deep.equal({ rsa: "rsa", ecc: "rsa" });
  });

  it("names every CA as simulated, with unique URL-safe file names", () => {
    const names = new Set<string>();
    for (const vendor of VENDORS) {
      for (const hierarchy of vendor.hierarchies) {
        for (const ca of [hierarchy.root, hierarchy.issuing]) {
          expect(ca.commonName).to.match(/^Simulated /);
          expect(ca.name).to.match(/^[A-Za-z0-9]+$/);
          expect(names.has(ca.name), ca.name).to.equal(false);
          names.add(ca.name);
        }
      }
    }
  });

  it("finds vendors by code (case-insensitive) and by manufacturer ID", () => {
    expect(findVendor("ifx")?.organization).to.equal("Infineon Technologies AG");
    expect(findVendor("NOPE")).to.equal(undefined);
    expect(vendorByManufacturerId(0x53544d20)?.code).to.equal("STM");
    expect(vendorByManufacturerId(0x12345678)).to.equal(undefined);
  });
});
