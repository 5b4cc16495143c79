import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { readFileIfExists, writeFileAtomic, writeFileAtomicSync } from "../../lib/index.js";

const MODULE_URL = new URL("../../lib/atomic-file.ts", import.meta.url).href;
const OLD = "old content\n".repeat(1000);
const NEW = "new content\n".repeat(5000);

/** Runs `body` in a child Node process (ESM, with tsx) where `writeFileAtomic*` are in scope. */
function runChild(body: string, env: Record<string, string>): ReturnType<typeof spawnSync> {
  const code = `import fs from "node:fs";
const { writeFileAtomic, writeFileAtomicSync } = await import(${JSON.stringify(MODULE_URL)});
${body}`;
  return spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], {
    env: { ...process.env, ...env },
    encoding: "utf8",
  });
}

describe("lib/atomic-file", () => {
  let dir: string;
  let target: string;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "apsim-atomic-"));
    target = path.join(dir, "state.bin");
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  for (const [label, write] of [
    ["writeFileAtomic", writeFileAtomic],
    ["writeFileAtomicSync", async (f: string, d: Uint8Array | string) => Promise.resolve(writeFileAtomicSync(f, d))],
  ] as const) {
    describe(label, () => {
      it("creates a file with the complete content and leaves no temporary file", async () => {
        await write(target, NEW);
        expect(await readFile(target, "utf8")).to.equal(NEW);
        expect(await readdir(dir)).to.deep.equal(["state.bin"]);
      });

      it("replaces existing content entirely (longer and shorter) and writes bytes verbatim", async () => {
        await writeFile(target, OLD);
        await write(target, NEW);
        expect(await readFile(target, "utf8")).to.equal(NEW);
        const bytes = Uint8Array.from([0, 1, 2, 255]);
        await write(target, bytes);
        expect(new Uint8Array(await readFile(target))).to.deep.equal(bytes);
        expect(await readdir(dir)).to.deep.equal(["state.bin"]);
      });

      it("leaves the old file untouched and removes its temporary file when the final rename fails", async () => {
        const blocked = path.join(dir, "occupied");
        await mkdir(blocked);
        await writeFile(path.join(blocked, "inside"), OLD);
        let failed = false;
        try {
          await write(blocked, NEW);
        } catch {
          failed = true;
        }
        expect(failed, "writing over a non-empty directory must fail").to.equal(true);
        expect(await readdir(dir)).to.deep.equal(["occupied"]);
        expect(await readFile(path.join(blocked, "inside"), "utf8")).to.equal(OLD);
      });
    });
  }

  it("keeps the previous content complete when the process is killed before the rename (sync)", async () => {
    await writeFile(target, OLD);
    const child = runChild(
      `fs.fsyncSync = () => process.kill(process.pid, "SIGKILL");
writeFileAtomicSync(process.env.TARGET, process.env.DATA);`,
      { TARGET: target, DATA: NEW },
    );
    expect(child.signal).to.equal("SIGKILL");
    expect(await readFile(target, "utf8")).to.equal(OLD);
    writeFileAtomicSync(target, NEW);
    expect(await readFile(target, "utf8")).to.equal(NEW);
  });

  it("keeps the previous content complete when the process is killed before the rename (async)", async () => {
    await writeFile(target, OLD);
    const child = runChild(
      `const probe = await fs.promises.open(process.env.TARGET, "r");
Object.getPrototypeOf(probe).sync = async () => process.kill(process.pid, "SIGKILL");
await probe.close();
await writeFileAtomic(process.env.TARGET, process.env.DATA);`,
      { TARGET: target, DATA: NEW },
    );
    expect(child.signal).to.equal("SIGKILL");
    expect(await readFile(target, "utf8")).to.equal(OLD);
  });

  it("applies an explicit mode exactly, and otherwise keeps the mode of the file it replaces", async function () {
    if (process.platform === "win32") this.skip();
    await writeFileAtomic(target, "secret", { mode: 0o600 });
    expect((await stat(target)).mode & 0o777).to.equal(0o600);
    await writeFileAtomic(target, "still secret");
    expect((await stat(target)).mode & 0o777).to.equal(0o600);
    writeFileAtomicSync(target, "public", { mode: 0o644 });
    expect((await stat(target)).mode & 0o777).to.equal(0o644);
  });

  it("readFileIfExists returns the content, or undefined for a missing file", async () => {
    await writeFile(target, "abc");
    expect((await readFileIfExists(target))?.toString("utf8")).to.equal("abc");
    expect(await readFileIfExists(path.join(dir, "missing"))).to.equal(undefined);
  });

  it("readFileIfExists still reports errors other than a missing file", async () => {
    let code: unknown;
    try {
      await readFileIfExists(dir);
    } catch (error) {
      code = (error as NodeJS.ErrnoException).code;
    }
    expect(code).to.equal("EISDIR");
  });
});
