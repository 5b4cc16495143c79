import { expect } from "chai";
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { ensurePrivateDir, resolveHome, writeSecretFile, writeSecretFileSync } from "../../lib/index.js";

describe("lib/home", () => {
  describe("resolveHome", () => {
    let saved: string | undefined;
    beforeEach(() => {
      saved = process.env["APSIM_HOME"];
    });
    afterEach(() => {
      if (saved === undefined) delete process.env["APSIM_HOME"];
      else process.env["APSIM_HOME"] = saved;
    });

    it("prefers --home, then APSIM_HOME, then ~/.apsim", () => {
      process.env["APSIM_HOME"] = path.join(os.tmpdir(), "from-env");
      expect(resolveHome({ home: path.join(os.tmpdir(), "from-flag") })).to.equal(path.join(os.tmpdir(), "from-flag"));
      expect(resolveHome({ home: undefined })).to.equal(path.join(os.tmpdir(), "from-env"));
      delete process.env["APSIM_HOME"];
      expect(resolveHome({})).to.equal(path.join(os.homedir(), ".apsim"));
    });

    it("treats empty values as absent and returns an absolute path", () => {
      process.env["APSIM_HOME"] = "";
      expect(resolveHome({ home: "" })).to.equal(path.join(os.homedir(), ".apsim"));
      expect(path.isAbsolute(resolveHome({ home: "relative/home" }))).to.equal(true);
    });
  });

  describe("private files", function () {
    let dir: string;
    before(function () {
      if (process.platform === "win32") this.skip();
    });
    beforeEach(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), "apsim-home-"));
    });
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it("ensurePrivateDir creates nested directories with mode 0700 and is idempotent", async () => {
      const nested = path.join(dir, "a", "b");
      await ensurePrivateDir(nested);
      await ensurePrivateDir(nested);
      expect((await stat(path.join(dir, "a"))).mode & 0o777).to.equal(0o700);
      expect((await stat(nested)).mode & 0o777).to.equal(0o700);
    });

    it("writeSecretFile writes atomically with mode 0600, even over a world-readable file", async () => {
      const file = path.join(dir, "key.pem");
      await writeFile(file, "public", { mode: 0o644 });
      writeSecretFileSync(file, "first");
      expect((await stat(file)).mode & 0o777).to.equal(0o600);
      await writeSecretFile(file, "second");
      expect((await stat(file)).mode & 0o777).to.equal(0o600);
      expect(await readFile(file, "utf8")).to.equal("second");
      expect(await readdir(dir)).to.deep.equal(["key.pem"]);
    });
  });
});
