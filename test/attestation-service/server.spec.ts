import { expect } from "chai";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { request, type Dispatcher } from "undici";
import { VendorFaultError, startServices } from "../../attestation-service/index.js";
import { loadTlsTrust, x509 } from "../../certs/index.js";
import { ManualClock, adminTokenFile, createHttpsAgent } from "../../lib/index.js";

describe("attestation-service/server: startServices", function () {
  this.timeout(120_000);
  let home: string;
  let dispatcher: Dispatcher;
  before(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), "apsim-services-"));
    dispatcher = createHttpsAgent({ ca: await loadTlsTrust(home) });
  });
  after(async () => {
    await dispatcher.close();
    await rm(home, { recursive: true, force: true });
  });

  it("runs the vendor endpoints and the AIK service on one HTTPS port with the home's admin token", async () => {
    const services = await startServices({ home, port: 0, clock: new ManualClock(Date.UTC(2026, 2, 1)) });
    try {
      expect(services.url).to.match(/^https:\/\/127\.0\.0\.1:\d+\/$/);
      expect((await readFile(adminTokenFile(home), "utf8")).trim()).to.equal(services.adminToken);
      const root = await request(`${services.url}pki.intc.vendors.apsim.test/IntelPttEkRootCA.crt`, { dispatcher });
      expect(root.statusCode).to.equal(200);
      const certificate = new x509.X509Certificate(Buffer.from(await root.body.arrayBuffer()));
      expect(certificate.subject).to.contain("Intel");
      const jwks = await request(`${services.url}attestation/v1/jwks`, { dispatcher });
      expect(jwks.statusCode).to.equal(200);
      await jwks.body.dump();
      const faults = await request(`${services.url}admin/vendors/INTC/faults`, {
        dispatcher,
        headers: { authorization: `Bearer ${services.adminToken}` },
      });
      expect(await faults.body.json()).to.deep.equal({ vendor: "INTC", faults: [] });
    } finally {
      await services.close();
    }
  });

  it("runs one service alone, with the vendor faults it was started with", async () => {
    const services = await startServices({ home, port: 0, services: ["vendors"], vendorFaults: ["STM=outage"] });
    try {
      const stm = await request(`${services.url}pki.stm.vendors.apsim.test/StmTpmEkRootCA.crt`, { dispatcher });
      expect(stm.statusCode).to.equal(503);
      await stm.body.dump();
      const ifx = await request(`${services.url}pki.ifx.vendors.apsim.test/OptigaRsaRootCA.crt`, { dispatcher });
      expect(ifx.statusCode).to.equal(200);
      await ifx.body.dump();
      const jwks = await request(`${services.url}attestation/v1/jwks`, { dispatcher });
      expect(jwks.statusCode, "the AIK service is not running").to.equal(404);
      await jwks.body.dump();
    } finally {
      await services.close();
    }
  });

  it("refuses a bad vendor fault before listening", async () => {
    let caught: unknown;
    try {
      await startServices({ home, port: 0, services: ["vendors"], vendorFaults: ["STM=meltdown"] });
    } catch (error) {
      caught = error;
    }
    expect(caught).to.be.instanceOf(VendorFaultError);
  });
});
