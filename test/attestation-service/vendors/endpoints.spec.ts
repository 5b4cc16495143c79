import { expect } from "chai";
import { createHash, type KeyObject } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import { request, type Dispatcher } from "undici";
import {
  clearVendorFaults,
  getVendorFaults,
  publishEkCertificateAt,
  registerVendorEndpoints,
  setVendorFaults,
  type VendorEndpoints,
} from "../../../attestation-service/index.js";
import {
  VENDORS,
  listPublishedEkCertificates,
  loadTlsCredentials,
  loadVendorPki,
  revokeSerial,
  x509,
  type VendorCa,
} from "../../../certs/index.js";
import { ManualClock, createHttpsAgent, createHttpsApp, listenLoopback } from "../../../lib/index.js";
import { installProtocolErrorHandler, resolveVirtualUrl } from "../../../protocol/index.js";
import { deriveEk, manufactureTpm, type TpmEmulator } from "../../../tpm-emulator/index.js";
import { TPM_ALG, publicKeyOf, type TPMS_ECC_POINT, type TPMT_PUBLIC } from "../../../tpm2/index.js";

const ADMIN_TOKEN = "test-admin-token-0123456789abcdef";
const DAY_MS = 86_400_000;

/** The ids as tpm2-tss FAPI computes them (ifapi_get_web_cert.c), written out independently of protocol/. */
function sha256(...parts: Uint8Array[]): Buffer {
  const hash = createHash("sha256");
  for (const part of parts) hash.update(part);
  return hash.digest();
}
function tssIntelId(pub: TPMT_PUBLIC): string {
  const digest =
    pub.type === TPM_ALG.RSA
      ? sha256(pub.unique as Uint8Array, Buffer.from([1, 0, 1]))
      : sha256((pub.unique as TPMS_ECC_POINT).x, (pub.unique as TPMS_ECC_POINT).y);
  return digest.toString("base64").replace(/\+/g, "-").replace(/\//g, "_").replace(/=/g, "%3D");
}
function tssAmdId(pub: TPMT_PUBLIC): string {
  const digest =
    pub.type === TPM_ALG.RSA
      ? sha256(Buffer.from([0, 0, 0x22, 0x22]), Buffer.from([0, 1, 0, 1]), pub.unique as Uint8Array)
      : sha256(Buffer.from([0, 0, 0x44, 0x44]), (pub.unique as TPMS_ECC_POINT).x, (pub.unique as TPMS_ECC_POINT).y);
  return digest.subarray(0, 16).toString("hex");
}
function qualcommId(pub: TPMT_PUBLIC): string {
  const point = pub.unique as TPMS_ECC_POINT;
  return (pub.type === TPM_ALG.RSA ? sha256(pub.unique as Uint8Array, Buffer.from([1, 0, 1])) : sha256(point.x, point.y)).toString("hex");
}

function spki(key: KeyObject): Buffer {
  return key.export({ type: "spki", format: "der" });
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer<ArrayBuffer>;
}

describe("attestation-service/vendors: simulated vendor endpoints", function () {
  this.timeout(120_000);
  let home: string;
  let clock: ManualClock;
  let app: FastifyInstance;
  let endpoints: VendorEndpoints;
  let baseUrl: string;
  let ca: string;
  let dispatcher: Dispatcher;
  const delays: number[] = [];

  async function get(pathOrUrl: string, headers: Record<string, string> = {}): Promise<Answer> {
    const url = pathOrUrl.startsWith("http://") ? resolveVirtualUrl(pathOrUrl, baseUrl) : new URL(pathOrUrl, baseUrl).toString();
    const answer = await request(url, { dispatcher, headers });
    return { status: answer.statusCode, headers: answer.headers, body: Buffer.from(await answer.body.arrayBuffer()) };
  }

  function errorCode(answer: Answer): string {
    return (JSON.parse(answer.body.toString("utf8")) as { error: { code: string } }).error.code;
  }

  before(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), "apsim-vendors-"));
    clock = new ManualClock(Date.UTC(2026, 2, 1));
    const tls = await loadTlsCredentials(home);
    ca = tls.ca;
    app = createHttpsApp({ tls: { cert: tls.cert, key: tls.key } });
    installProtocolErrorHandler(app);
    endpoints = await registerVendorEndpoints(app, {
      home,
      clock,
      adminToken: ADMIN_TOKEN,
      delay: (ms) => {
        delays.push(ms);
        return Promise.resolve();
      },
      holdLimitMs: 100,
    });
    baseUrl = (await listenLoopback(app)).url;
    dispatcher = createHttpsAgent({ ca, timeoutMs: 10_000 });
  });

  after(async () => {
    await dispatcher.close();
    await app.close();
    await rm(home, { recursive: true, force: true });
  });

  afterEach(() => {
    for (const vendor of VENDORS) endpoints.faults.clear(vendor.code);
    delays.length = 0;
  });

  describe("CA certificates and CRLs", () => {
    it("serves every root and issuing CA at its AIA URL as DER that chains", async () => {
      for (const vendor of VENDORS) {
        const pki = await loadVendorPki(home, vendor.code);
        for (const issuing of pki.issuingCas) {
          const root = issuing.issuer as VendorCa;
          const rootAnswer = await get(root.aiaUrl);
          const issuingAnswer = await get(issuing.aiaUrl);
          expect(rootAnswer.status, root.aiaUrl).to.equal(200);
          expect(issuingAnswer.status, issuing.aiaUrl).to.equal(200);
          expect(issuingAnswer.headers["content-type"]).to.equal("application/pkix-cert");
          const rootCert = new x509.X509Certificate(rootAnswer.body);
          const issuingCert = new x509.X509Certificate(issuingAnswer.body);
          expect(issuingCert.subject).to.equal(issuing.certificate.subject);
          expect(await issuingCert.verify({ publicKey: rootCert.publicKey, date: new Date(clock.now()) }), `${vendor.code} chain`).to.equal(true);
          expect(await rootCert.isSelfSigned()).to.equal(true);
        }
      }
    });

    it("serves each CA's CRL, signed by that CA, listing the vendor's revoked serials, thisUpdate = clock, nextUpdate + 1 day", async () => {
      const pki = await loadVendorPki(home, "IFX");
      const issuing = pki.issuingCas[0]!;
      revokeSerial(home, "IFX", "4abcdef0123456789");
      const answer = await get(issuing.crlUrl);
      expect(answer.status).to.equal(200);
      expect(answer.headers["content-type"]).to.equal("application/pkix-crl");
      const crl = new x509.X509Crl(answer.body);
      expect(await crl.verify({ publicKey: issuing.certificate.publicKey })).to.equal(true);
      expect(crl.issuer).to.equal(issuing.certificate.subject);
      expect(crl.entries.map((e) => e.serialNumber.toLowerCase())).to.include("04abcdef0123456789");
      expect(crl.thisUpdate.getTime()).to.equal(clock.now());
      expect(crl.nextUpdate?.getTime()).to.equal(clock.now() + DAY_MS);

      revokeSerial(home, "IFX", "55");
      const again = new x509.X509Crl((await get(issuing.crlUrl)).body);
      expect(again.entries.map((e) => e.serialNumber.toLowerCase()), "a new revocation shows at once").to.include("55");

      clock.advance(DAY_MS);
      const later = new x509.X509Crl((await get(issuing.crlUrl)).body);
      expect(later.thisUpdate.getTime()).to.equal(clock.now());

      const root = issuing.issuer!;
      const rootCrl = new x509.X509Crl((await get(root.crlUrl)).body);
      expect(await rootCrl.verify({ publicKey: root.certificate.publicKey })).to.equal(true);
      expect(rootCrl.entries).to.have.length(0);
    });

    it("answers 404 NOT_FOUND for names that are no CA of the vendor", async () => {
      const answer = await get("/pki.ifx.vendors.apsim.test/IntelPttEkRootCA.crt");
      expect(answer.status).to.equal(404);
      expect(errorCode(answer)).to.equal("NOT_FOUND");
    });
  });

  describe("EK certificate services", () => {
    let intel: TpmEmulator;
    let amd: TpmEmulator;
    let qcom: TpmEmulator;
    before(async () => {
      const now = new Date(clock.now());
      intel = await manufactureTpm({ vendor: "INTC", home, seed: Buffer.alloc(32, 0x11), eks: ["rsa", "ecc"], now });
      amd = await manufactureTpm({ vendor: "AMD", home, seed: Buffer.alloc(32, 0x12), now });
      qcom = await manufactureTpm({ vendor: "QCOM", home, seed: Buffer.alloc(32, 0x13), now });
    });

    async function publishedFor(vendor: string, key: KeyObject): Promise<Buffer> {
      const name = createHash("sha256").update(spki(key)).digest("hex");
      const entry = (await listPublishedEkCertificates(home, vendor)).find((e) => e.name === name);
      expect(entry, `${vendor} published certificate`).to.not.equal(undefined);
      return Buffer.from(entry!.certificate);
    }

    it("Intel-style: /ekcertservice/<id> answers JSON {pubhash, certificate} for RSA and ECC EKs", async () => {
      for (const kind of ["rsa", "ecc"] as const) {
        const pub = deriveEk(intel.runtime, kind);
        const id = tssIntelId(pub);
        expect(id).to.match(/%3D$/);
        const answer = await get(`/pki.intc.vendors.apsim.test/ekcertservice/${id}`);
        expect(answer.status, kind).to.equal(200);
        expect(answer.headers["content-type"]).to.match(/^application\/json/);
        const body = JSON.parse(answer.body.toString("utf8")) as { pubhash: string; certificate: string };
        expect(body.pubhash).to.equal(id);
        const der = Buffer.from(body.certificate, "base64url");
        expect(der.equals(await publishedFor("INTC", publicKeyOf(pub)))).to.equal(true);
        const certificateKey = Buffer.from(new x509.X509Certificate(der).publicKey.rawData);
        expect(certificateKey.equals(spki(publicKeyOf(pub)))).to.equal(true);
      }
    });

    it("AMD-style: /pki/aia/<16-byte hex id> answers the DER certificate", async () => {
      const pub = deriveEk(amd.runtime, "rsa");
      const answer = await get(`/pki.amd.vendors.apsim.test/pki/aia/${tssAmdId(pub)}`);
      expect(answer.status).to.equal(200);
      expect(answer.headers["content-type"]).to.equal("application/pkix-cert");
      expect(answer.body.equals(await publishedFor("AMD", publicKeyOf(pub)))).to.equal(true);
      expect((await get(`/pki.amd.vendors.apsim.test/pki/aia/${tssAmdId(pub).toUpperCase()}`)).status, "hex in any case").to.equal(200);
    });

    it("Qualcomm-style: /EKCertificate/GetEKCertificate/v1/<hex id> answers the DER certificate", async () => {
      const pub = deriveEk(qcom.runtime, "ecc");
      const answer = await get(`/pki.qcom.vendors.apsim.test/EKCertificate/GetEKCertificate/v1/${qualcommId(pub)}`);
      expect(answer.status).to.equal(200);
      expect(answer.body.equals(await publishedFor("QCOM", publicKeyOf(pub)))).to.equal(true);
    });

    it("answers 404 NOT_FOUND for unknown and malformed ids, and for another vendor's EK", async () => {
      const unknownIntel = await get(`/pki.intc.vendors.apsim.test/ekcertservice/${"A".repeat(43)}%3D`);
      expect(unknownIntel.status).to.equal(404);
      expect(errorCode(unknownIntel)).to.equal("NOT_FOUND");
      expect((await get("/pki.amd.vendors.apsim.test/pki/aia/not-an-id")).status).to.equal(404);
      expect((await get(`/pki.qcom.vendors.apsim.test/EKCertificate/GetEKCertificate/v1/${"0".repeat(64)}`)).status).to.equal(404);
      const amdEkAtIntel = tssIntelId(deriveEk(amd.runtime, "rsa"));
      expect((await get(`/pki.intc.vendors.apsim.test/ekcertservice/${amdEkAtIntel}`)).status).to.equal(404);
      expect((await get(`/pki.ifx.vendors.apsim.test/ekcertservice/${amdEkAtIntel}`)).status, "discrete vendors run no EK service").to.equal(404);
    });

    it("finds a TPM manufactured while the service runs (the index refreshes on a miss)", async () => {
      expect((await get(`/pki.intc.vendors.apsim.test/ekcertservice/${tssIntelId(deriveEk(intel.runtime, "ecc"))}`)).status).to.equal(200);
      const late = await manufactureTpm({ vendor: "INTC", home, seed: Buffer.alloc(32, 0x14), eks: ["ecc"], now: new Date(clock.now()) });
      const answer = await get(`/pki.intc.vendors.apsim.test/ekcertservice/${tssIntelId(deriveEk(late.runtime, "ecc"))}`);
      expect(answer.status).to.equal(200);
    });
  });

  describe("faults", () => {
    const rootUrl = "http://pki.ifx.vendors.apsim.test/OptigaRsaRootCA.crt";

    it("outage: every request of that vendor's host answers 503 OVERLOADED with Retry-After; other vendors are unaffected", async () => {
      endpoints.faults.set("IFX", [{ kind: "outage" }]);
      const answer = await get(rootUrl);
      expect(answer.status).to.equal(503);
      expect(answer.headers["retry-after"]).to.equal("5");
      expect(errorCode(answer)).to.equal("OVERLOADED");
      expect((await get("http://pki.ifx.vendors.apsim.test/OptigaRsaRootCA.crl")).status).to.equal(503);
      expect((await get("http://pki.stm.vendors.apsim.test/StmTpmEkRootCA.crt")).status).to.equal(200);
    });

    it("slow:MS: the latency goes through the delay function before the answer", async () => {
      endpoints.faults.set("IFX", [{ kind: "slow", ms: 250 }]);
      expect((await get(rootUrl)).status).to.equal(200);
      expect(delays).to.deep.equal([250]);
      endpoints.faults.set("IFX", [{ kind: "slow", ms: 40 }, { kind: "outage" }]);
      expect((await get(rootUrl)).status).to.equal(503);
      expect(delays).to.deep.equal([250, 40]);
    });

    it("error:RATE: that share of requests answers 500, the same ones every time the faults are set", async () => {
      const statuses = async (): Promise<number[]> => {
        endpoints.faults.set("IFX", [{ kind: "error", rate: 0.5 }]);
        const out: number[] = [];
        for (let i = 0; i < 24; i++) out.push((await get(rootUrl)).status);
        return out;
      };
      const first = await statuses();
      expect(new Set(first)).to.deep.equal(new Set([200, 500]));
      expect(await statuses()).to.deep.equal(first);
      endpoints.faults.set("IFX", [{ kind: "error", rate: 1 }]);
      const failed = await get(rootUrl);
      expect(failed.status).to.equal(500);
      expect(errorCode(failed)).to.equal("INTERNAL");
    });

    it("timeout: the request is held without an answer, then the connection is dropped", async () => {
      endpoints.faults.set("IFX", [{ kind: "timeout" }]);
      let caught: unknown;
      try {
        await get(rootUrl);
      } catch (error) {
        caught = error;
      }
      expect(caught, "no HTTP answer").to.be.instanceOf(Error);
      expect((caught as { code?: string }).code).to.match(/^UND_ERR_(SOCKET|HEADERS_TIMEOUT)$/);
    });

    it("revoked:SERIAL: the serial is on the vendor's CRLs", async () => {
      endpoints.faults.set("STM", [{ kind: "revoked", serial: "0badc0de" }]);
      const pki = await loadVendorPki(home, "STM");
      const issuing = pki.issuingCas[0]!;
      const crl = new x509.X509Crl((await get(issuing.crlUrl)).body);
      expect(await crl.verify({ publicKey: issuing.certificate.publicKey })).to.equal(true);
      expect(crl.entries.map((e) => e.serialNumber.toLowerCase())).to.include("0badc0de");
      const rootCrl = new x509.X509Crl((await get(issuing.issuer!.crlUrl)).body);
      expect(rootCrl.entries.map((e) => e.serialNumber.toLowerCase()), "an issuing CA can be revoked").to.include("0badc0de");
      endpoints.faults.clear("STM");
      const cleared = new x509.X509Crl((await get(issuing.crlUrl)).body);
      expect(cleared.entries.map((e) => e.serialNumber.toLowerCase())).to.not.include("0badc0de");
    });

    it("expired-ca: issuing CA certificates at their AIA URLs are expired copies with the same key; roots are unchanged", async () => {
      const pki = await loadVendorPki(home, "NTC");
      const issuing = pki.issuingCas[0]!;
      endpoints.faults.set("NTC", [{ kind: "expired-ca" }]);
      const copy = new x509.X509Certificate((await get(issuing.aiaUrl)).body);
      expect(copy.notAfter.getTime()).to.be.lessThan(clock.now());
      expect(copy.subject).to.equal(issuing.certificate.subject);
      expect(Buffer.from(copy.publicKey.rawData).equals(Buffer.from(issuing.certificate.publicKey.rawData))).to.equal(true);
      expect(await copy.verify({ publicKey: issuing.issuer!.certificate.publicKey, signatureOnly: true })).to.equal(true);
      const root = new x509.X509Certificate((await get(issuing.issuer!.aiaUrl)).body);
      expect(root.notAfter.getTime()).to.be.greaterThan(clock.now());
      endpoints.faults.clear("NTC");
      const restored = new x509.X509Certificate((await get(issuing.aiaUrl)).body);
      expect(restored.serialNumber).to.equal(issuing.certificate.serialNumber);
    });
  });

  describe("admin API", () => {
    const client = () => ({ serverUrl: baseUrl, adminToken: ADMIN_TOKEN, ca });

    it("answers 401 UNAUTHORIZED without the bearer admin token", async () => {
      const routes: [string, string][] = [
        ["GET", "admin/vendors/INTC/faults"],
        ["PUT", "admin/vendors/INTC/faults"],
        ["DELETE", "admin/vendors/INTC/faults"],
        ["POST", "admin/vendors/INTC/ek-certificates"],
      ];
      for (const [method, route] of routes) {
        for (const authorization of [undefined, "Bearer wrong-token-wrong-token-wrong", ADMIN_TOKEN]) {
          const answer = await request(new URL(route, baseUrl), {
            method: method as "GET",
            dispatcher,
            headers: {
              ...(authorization === undefined ? {} : { authorization }),
              "content-type": method === "POST" ? "application/pkix-cert" : "application/json",
            },
            ...(method === "PUT" ? { body: JSON.stringify({ faults: ["outage"] }) } : method === "POST" ? { body: Buffer.alloc(10) } : {}),
          });
          const body = (await answer.body.json()) as { error: { code: string } };
          expect(answer.statusCode, `${method} ${route} with ${authorization ?? "nothing"}`).to.equal(401);
          expect(body.error.code).to.equal("UNAUTHORIZED");
        }
      }
      expect(endpoints.faults.faultsOf("INTC")).to.deep.equal([]);
    });

    it("changes faults at run time: PUT, GET, DELETE", async () => {
      expect((await get("http://pki.amd.vendors.apsim.test/AmdTpmRootCA.crt")).status).to.equal(200);
      expect(await setVendorFaults(client(), "amd", ["outage", "slow:20"])).to.deep.equal({ vendor: "AMD", faults: ["outage", "slow:20"] });
      expect(await getVendorFaults(client(), "AMD")).to.deep.equal({ vendor: "AMD", faults: ["outage", "slow:20"] });
      expect((await get("http://pki.amd.vendors.apsim.test/AmdTpmRootCA.crt")).status).to.equal(503);
      expect(await clearVendorFaults(client(), "AMD")).to.deep.equal({ vendor: "AMD", faults: [] });
      expect((await get("http://pki.amd.vendors.apsim.test/AmdTpmRootCA.crt")).status).to.equal(200);
    });

    it("refuses bad fault texts (400) and unknown vendors (404) with registry codes", async () => {
      const bad = await request(new URL("admin/vendors/AMD/faults", baseUrl), {
        method: "PUT",
        dispatcher,
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ faults: ["meltdown"] }),
      });
      expect(bad.statusCode).to.equal(400);
      expect(((await bad.body.json()) as { error: { code: string } }).error.code).to.equal("MALFORMED_REQUEST");
      let caught: unknown;
      try {
        await getVendorFaults(client(), "ACME");
      } catch (error) {
        caught = error;
      }
      expect((caught as { code?: string }).code).to.equal("NOT_FOUND");
      expect(endpoints.faults.faultsOf("AMD")).to.deep.equal([]);
    });

    it("publishes an EK certificate made by a factory with another home, which the EK service then answers with", async () => {
      const factoryHome = await mkdtemp(path.join(os.tmpdir(), "apsim-vendors-factory-"));
      try {
        const tpm = await manufactureTpm({ vendor: "QCOM", home: factoryHome, seed: Buffer.alloc(32, 0x21), now: new Date(clock.now()) });
        const [made] = await listPublishedEkCertificates(factoryHome, "QCOM");
        const pub = deriveEk(tpm.runtime, "ecc");
        const lookup = `/pki.qcom.vendors.apsim.test/EKCertificate/GetEKCertificate/v1/${qualcommId(pub)}`;
        expect((await get(lookup)).status, "not published here yet").to.equal(404);
        const document = await publishEkCertificateAt(client(), "QCOM", made!.certificate);
        expect(document.vendor).to.equal("QCOM");
        expect(document.url).to.equal(`https://pki.qcom.vendors.apsim.test/EKCertificate/GetEKCertificate/v1/${qualcommId(pub)}`);
        const answer = await get(lookup);
        expect(answer.status).to.equal(200);
        expect(answer.body.equals(Buffer.from(made!.certificate))).to.equal(true);
        expect((await listPublishedEkCertificates(home, "QCOM")).some((e) => e.name === made!.name), "stored in the server's home").to.equal(true);
      } finally {
        await rm(factoryHome, { recursive: true, force: true });
      }
    });

    it("refuses to publish what is not a certificate, or at a vendor without an EK service", async () => {
      const attempt = async (vendor: string, body: Uint8Array) => {
        try {
          await publishEkCertificateAt(client(), vendor, body);
        } catch (error) {
          return (error as { code?: string }).code;
        }
        return "published";
      };
      expect(await attempt("INTC", Buffer.from("junk"))).to.equal("MALFORMED_REQUEST");
      const pki = await loadVendorPki(home, "IFX");
      expect(await attempt("IFX", new Uint8Array(pki.roots[0]!.certificate.rawData))).to.equal("NOT_FOUND");
    });
  });

  describe("timeout fault, held for longer than the client waits", () => {
    let patientApp: FastifyInstance;
    let patientUrl: string;
    let patient: VendorEndpoints;
    let reachedHold: () => void = () => undefined;
    before(async () => {
      const tls = await loadTlsCredentials(home);
      patientApp = createHttpsApp({ tls: { cert: tls.cert, key: tls.key } });
      installProtocolErrorHandler(patientApp);
      patient = await registerVendorEndpoints(patientApp, {
        home,
        clock,
        adminToken: ADMIN_TOKEN,
        faults: { IFX: [{ kind: "slow", ms: 1 }, { kind: "timeout" }] },
        delay: () => {
          reachedHold();
          return Promise.resolve();
        },
        holdLimitMs: 60_000,
      });
      patientUrl = (await listenLoopback(patientApp)).url;
    });
    after(async () => patientApp.close());

    it("a client that gives up first sees its own timeout", async () => {
      const impatient = createHttpsAgent({ ca, timeoutMs: 300 });
      let caught: unknown;
      try {
        await request(resolveVirtualUrl("http://pki.ifx.vendors.apsim.test/OptigaRsaRootCA.crt", patientUrl), { dispatcher: impatient });
      } catch (error) {
        caught = error;
      } finally {
        await impatient.close();
      }
      expect((caught as { code?: string }).code).to.equal("UND_ERR_HEADERS_TIMEOUT");
      expect(patient.faults.faultsOf("IFX")).to.have.length(2);
    });

    it("closing the server drops held requests instead of waiting for them", async () => {
      const held = new Promise<void>((resolve) => {
        reachedHold = resolve;
      });
      const client = createHttpsAgent({ ca, timeoutMs: 60_000 });
      const pending = request(resolveVirtualUrl("http://pki.ifx.vendors.apsim.test/OptigaRsaRootCA.crt", patientUrl), { dispatcher: client }).then(
        () => "answered",
        (error: { code?: string }) => error.code,
      );
      await held;
      await new Promise((resolve) => setImmediate(resolve));
      await patientApp.close();
      expect(await pending).to.equal("UND_ERR_SOCKET");
      await client.close();
    });
  });
});
