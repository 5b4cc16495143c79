import { expect } from "chai";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { TpmFactory } from "../../fleet/factory.js";
import { TpmEmulator, describeTpm } from "../../tpm-emulator/index.js";

describe("fleet/factory", function () {
  this.timeout(60_000);
  let home: string;
  before(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), "apsim-factory-"));
  });
  after(async () => rm(home, { recursive: true, force: true }));

  const order = { vendor: "IFX", seed: "11".repeat(32), faults: [], eks: ["ecc"] as const };

  it("manufactures a TPM once and reuses it from the home directory", async () => {
    const factory = new TpmFactory(home);
    const first = await factory.stateOf(order);
    expect(factory.stats).to.deep.equal({ manufactured: 1, reused: 0 });
    expect((await stat(factory.cacheFile(order))).mode & 0o777).to.equal(0o600);

    const again = new TpmFactory(home);
    const second = await again.stateOf(order);
    expect(again.stats).to.deep.equal({ manufactured: 0, reused: 1 });
    expect(Buffer.from(second).equals(Buffer.from(first))).to.equal(true);
    const info = describeTpm(TpmEmulator.fromStateBytes(second));
    expect(info.vendor).to.equal("IFX");
    expect(Object.keys(info.ekCertificates)).to.deep.equal(["ecc"]);
  });

  it("makes concurrent orders for one TPM share one manufacture", async () => {
    const factory = new TpmFactory(home);
    const other = { ...order, seed: "22".repeat(32) };
    await Promise.all([factory.stateOf(other), factory.stateOf(other), factory.stateOf(other)]);
    expect(factory.stats.manufactured).to.equal(1);
  });

  it("keeps device runs away from the cached state", async () => {
    const factory = new TpmFactory(home);
    const before = await readFile(factory.cacheFile(order));
    const tpm = await factory.open(order);
    tpm.runtime.state.clearCount = 99;
    tpm.save();
    expect((await readFile(factory.cacheFile(order))).equals(before)).to.equal(true);
  });

  it("keys the cache by faults as well", async () => {
    const factory = new TpmFactory(home);
    expect(factory.cacheFile({ ...order, faults: ["no-ek-cert"] })).to.not.equal(factory.cacheFile(order));
    const broken = await factory.open({ ...order, faults: ["no-ek-cert"] });
    expect(describeTpm(broken).ekCertificates).to.deep.equal({});
  });

  it("derives a device's RSA AK at the factory, so the TPM state carries its primes", async () => {
    const factory = new TpmFactory(home);
    const withAk = { ...order, seed: "33".repeat(32), rsaAkUnique: "ab".repeat(20) };
    const tpm = await factory.open(withAk);
    expect(tpm.runtime.state.derivedRsaKeys).to.have.length(1);
    const plain = await factory.open({ ...order, seed: "33".repeat(32) });
    expect(plain.runtime.state.derivedRsaKeys ?? []).to.have.length(0);
  });

  it("makes a damaged cache entry again instead of failing the device", async () => {
    const factory = new TpmFactory(home);
    const damaged = { ...order, seed: "44".repeat(32) };
    await factory.stateOf(damaged);
    await writeFile(factory.cacheFile(damaged), Buffer.from("not a TPM state"));
    const again = new TpmFactory(home);
    const tpm = await again.open(damaged);
    expect(describeTpm(tpm).vendor).to.equal("IFX");
    expect(again.stats).to.deep.equal({ manufactured: 1, reused: 0 });
  });
});
