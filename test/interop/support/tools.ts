import { accessSync, constants } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";

/** True when `name` is an executable file in one of the PATH directories. */
function isOnPath(name: string): boolean {
  for (const dir of (process.env["PATH"] ?? "").split(path.delimiter)) {
    if (dir === "") continue;
    try {
      accessSync(path.join(dir, name), constants.X_OK);
      return true;
    } catch {
      // not in this directory
    }
  }
  return false;
}

/**
 * Gate an interop test or suite on external binaries. When any of `names` is missing: with
 * REQUIRE_INTEROP=1 (CI) throw an Error naming them, otherwise print one line to stderr and skip.
 */
export function requireTool(ctx: Mocha.Context, names: string[]): void {
  const missing = names.filter((name) => !isOnPath(name));
  if (missing.length === 0) return;
  const reason = `interop: missing tool(s) ${missing.join(", ")} (install tpm2-tools, swtpm; see .ci/run)`;
  if (process.env["REQUIRE_INTEROP"] === "1") {
    throw new Error(`${reason}; REQUIRE_INTEROP=1 forbids skipping`);
  }
  process.stderr.write(`skipping: ${reason}\n`);
  ctx.skip();
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

function bindEphemeral(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === "object") resolve(address.port);
        else reject(new Error("freePort: no TCP address"));
      });
    });
  });
}

/**
 * A loopback TCP port that was free a moment ago, and whose neighbour port+1 was free too (swtpm and
 * the TCG simulator put their control/platform channel on port+1). Another process may still take
 * it before use; callers that spawn a server retry on a bind failure.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await bindEphemeral();
    if (port < 65535 && (await canBind(port + 1))) return port;
  }
  throw new Error("freePort: no free pair of consecutive loopback ports");
}
