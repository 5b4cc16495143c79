/**
 * Two `apsim serve attestation` processes sharing one PostgreSQL database: a session opened on one replica can
 * be proved on the other, and its nonce is used exactly once even when twenty proofs race across both.
 */
import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { request, type Dispatcher } from "undici";
import { startServices } from "../../attestation-service/index.js";
import { loadTlsTrust } from "../../certs/index.js";
import { createHttpsAgent, decodeCbor, encodeCbor } from "../../lib/index.js";
import { ATTESTATION_PATHS, parseChallengeResponse } from "../../protocol/index.js";
import { createTestSchema, type TestSchema } from "../attestation-service/support/postgres.js";
import { TestDevice } from "../attestation-service/support/test-device.js";

const MAIN = fileURLToPath(new URL("../../cli/main.ts", import.meta.url));

interface Replica {
  readonly url: string;
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
}

function startReplica(home: string, db: string, vendorsUrl: string): Promise<Replica> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", MAIN, "--home", home, "serve", "attestation", "--port", "0", "--db", db, "--vendors", vendorsUrl, "--json"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  return new Promise((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8");
      try {
        resolve({ url: (JSON.parse(stdout) as { url: string }).url, child, exited });
      } catch {
        // the document is not complete yet
      }
    });
    void exited.then((code) => reject(new Error(`replica exited (${code}) before listening: ${stderr}`)));
  });
}

async function post(dispatcher: Dispatcher, url: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const answer = await request(url, {
    method: "POST",
    dispatcher,
    headers: { "content-type": "application/cbor", accept: "application/cbor" },
    body: Buffer.from(encodeCbor(body)),
  });
  return { status: answer.statusCode, body: decodeCbor(Buffer.from(await answer.body.arrayBuffer())) };
}

describe("attestation service replicas on PostgreSQL", function () {
  this.timeout(180_000);
  let schema: TestSchema | undefined;
  let home: string;
  let vendors: Awaited<ReturnType<typeof startServices>> | undefined;
  const replicas: Replica[] = [];
  let dispatcher: Dispatcher | undefined;

  before(async function () {
    schema = await createTestSchema(this);
    if (schema === undefined) return;
    home = await mkdtemp(path.join(os.tmpdir(), "apsim-replicas-"));
    vendors = await startServices({ home, port: 0, services: ["vendors"] });
    // One after the other: the first creates the schema's tables, the second finds them migrated.
    replicas.push(await startReplica(home, schema.url, vendors.url));
    replicas.push(await startReplica(home, schema.url, vendors.url));
    dispatcher = createHttpsAgent({ ca: await loadTlsTrust(home) });
  });

  after(async () => {
    for (const replica of replicas) {
      replica.child.kill("SIGTERM");
      await replica.exited;
    }
    await dispatcher?.close();
    await vendors?.close();
    await schema?.drop();
    if (home !== undefined) await rm(home, { recursive: true, force: true });
  });

  it("proves on one replica a session opened on the other, and uses its nonce once across both", async () => {
    const [a, b] = replicas as [Replica, Replica];
    const device = await TestDevice.create({ home, vendor: "IFX", ek: "ecc", ak: "ecc" });
    const challenge = await post(dispatcher!, a.url + ATTESTATION_PATHS.challenge, device.challengeRequest(Date.now()));
    expect(challenge.status, JSON.stringify(challenge.body)).to.equal(200);
    const proof = await device.proofRequest(parseChallengeResponse(challenge.body), Date.now());

    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => post(dispatcher!, (i % 2 === 0 ? b : a).url + ATTESTATION_PATHS.proof, proof)),
    );
    const codes = answers.map((answer) => (answer.status === 200 ? "OK" : (answer.body as { error: { code: string } }).error.code));
    expect(codes.filter((code) => code === "OK")).to.have.length(1);
    expect(codes.filter((code) => code === "NONCE_REPLAYED")).to.have.length(19);
  });
});
