import { expect } from "chai";
import { spawnSync } from "node:child_process";

const MODULE_URL = new URL("../../lib/logger.ts", import.meta.url).href;

/** Logs one line per level from a child process and returns its stdout and stderr. */
function logFromChild(level: string | undefined): { stdout: string; stderr: string } {
  const code = `const { createLogger } = await import(${JSON.stringify(MODULE_URL)});
const log = createLogger("unit");
log.debug("debug line");
log.warn({ privateKey: "PRIVATE", detail: { token: "TOKEN" }, port: 1 }, "warn line");`;
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env["APSIM_LOG_LEVEL"];
  if (level !== undefined) env["APSIM_LOG_LEVEL"] = level;
  const child = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], {
    env,
    encoding: "utf8",
  });
  expect(child.status, child.stderr).to.equal(0);
  return { stdout: child.stdout, stderr: child.stderr };
}

function jsonLines(text: string): Array<Record<string, unknown>> {
  return text
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe("lib/logger", () => {
  it("writes JSON lines to stderr only, at level warn by default", () => {
    const { stdout, stderr } = logFromChild(undefined);
    expect(stdout).to.equal("");
    const lines = jsonLines(stderr);
    expect(lines.map((line) => line["msg"])).to.deep.equal(["warn line"]);
    expect(lines[0]?.["name"]).to.equal("unit");
    expect(lines[0]?.["port"]).to.equal(1);
  });

  it("takes its level from APSIM_LOG_LEVEL", () => {
    expect(jsonLines(logFromChild("debug").stderr).map((line) => line["msg"])).to.deep.equal([
      "debug line",
      "warn line",
    ]);
    expect(jsonLines(logFromChild("error").stderr)).to.deep.equal([]);
  });

  it("censors fields named like secrets", () => {
    const { stderr } = logFromChild(undefined);
    expect(stderr).to.not.include("PRIVATE");
    expect(stderr).to.not.include("TOKEN");
  });
});
