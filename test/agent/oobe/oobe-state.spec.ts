import { expect } from "chai";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { NEW_OOBE_STATE, OOBE_STATE_FILE, fileOobeStateStore, memoryOobeStateStore, parseOobeState } from "../../../agent/oobe/oobe-state.js";
import { OobeStepFailure } from "../../../agent/oobe/oobe-step.js";

describe("agent/oobe/oobe-state", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "apsim-oobe-state-"));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("a device without a state file is new; a saved state reads back equal, private to its owner", async () => {
    const store = fileOobeStateStore(dir);
    expect(await store.load()).to.deep.equal(NEW_OOBE_STATE);
    const resealed = { ...NEW_OOBE_STATE, stage: "resealed" as const, mode: "pre-provisioning" as const, deviceId: "d-1", provisionedAt: 5, provisioningMs: 1200 };
    await store.save(resealed);
    expect(await fileOobeStateStore(dir).load()).to.deep.equal(resealed);
    expect((await stat(path.join(dir, OOBE_STATE_FILE))).mode & 0o777).to.equal(0o600);
    expect(JSON.parse(await readFile(path.join(dir, OOBE_STATE_FILE), "utf8"))).to.include({ version: 1 });
  });

  it("a corrupted or foreign state file is refused with DEVICE_STATE_INVALID naming the field", async () => {
    await writeFile(path.join(dir, OOBE_STATE_FILE), "{not json");
    await fileOobeStateStore(dir).load().then(
      () => expect.fail("loaded"),
      (error: unknown) => expect(error).to.be.instanceOf(OobeStepFailure).and.include({ code: "DEVICE_STATE_INVALID" }),
    );
    expect(() => parseOobeState(JSON.stringify({ version: 2 }))).to.throw(/unsupported version/);
    expect(() => parseOobeState(JSON.stringify({ ...NEW_OOBE_STATE, version: 1, stage: "sealed" }))).to.throw(/stage must be one of/);
    expect(() => parseOobeState(JSON.stringify({ ...NEW_OOBE_STATE, version: 1, provisioningMs: -1 }))).to.throw(/provisioningMs/);
  });

  it("the memory store keeps what was saved", async () => {
    const store = memoryOobeStateStore();
    await store.save({ ...NEW_OOBE_STATE, stage: "completed" });
    expect((await store.load()).stage).to.equal("completed");
  });
});
