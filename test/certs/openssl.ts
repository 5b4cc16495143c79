/** openssl as an independent checker for certificate specs: skips without it unless REQUIRE_INTEROP=1. */
import { expect } from "chai";
import { spawnSync } from "node:child_process";

/** Skips the test when openssl is missing, unless REQUIRE_INTEROP=1 demands it. */
export function requireOpenssl(context: Mocha.Context): void {
  const probe = spawnSync("openssl", ["version"], { encoding: "utf8" });
  if (probe.error === undefined && probe.status === 0) return;
  if (process.env["REQUIRE_INTEROP"] === "1") throw new Error("openssl is required (REQUIRE_INTEROP=1) but not found");
  console.log("skipping: openssl not found on PATH");
  context.skip();
}

/** Runs openssl, expects exit 0, returns stdout. */
export function openssl(args: string[]): string {
  const run = spawnSync("openssl", args, { encoding: "utf8" });
  expect(run.status, `openssl ${args.join(" ")}: ${run.stderr}`).to.equal(0);
  return run.stdout;
}
