import { expect } from "chai";
import { TpmLocationError, parseTpmLocation } from "../../../agent/index.js";

describe("agent/tpm: TPM locations (--tpm)", () => {
  it("parses state directories, sockets and devices", () => {
    expect(parseTpmLocation("./tpm1")).to.deep.equal({ kind: "state", dir: "./tpm1" });
    expect(parseTpmLocation("swtpm://127.0.0.1:2321")).to.deep.equal({ kind: "swtpm", host: "127.0.0.1", port: 2321 });
    expect(parseTpmLocation("mssim://localhost:2400")).to.deep.equal({ kind: "mssim", host: "localhost", port: 2400 });
    expect(parseTpmLocation("swtpm://[::1]:2321")).to.deep.equal({ kind: "swtpm", host: "::1", port: 2321 });
    expect(parseTpmLocation("mssim://tpmhost")).to.deep.equal({ kind: "mssim", host: "tpmhost", port: 2321 });
    expect(parseTpmLocation("/dev/tpmrm0")).to.deep.equal({ kind: "device", path: "/dev/tpmrm0" });
  });

  it("refuses what it cannot mean, with a stable code", () => {
    for (const bad of ["", "tcp://127.0.0.1:2321", "swtpm://127.0.0.1:65535", "swtpm://h:1/path", "mssim://u@h:1"]) {
      expect(() => parseTpmLocation(bad), bad).to.throw(TpmLocationError).with.property("code", "TPM_LOCATION_INVALID");
    }
  });
});
