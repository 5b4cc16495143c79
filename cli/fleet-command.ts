/** `apsim fleet`: parses the flags and calls runFleet. */
import { readFile, writeFile } from "node:fs/promises";
import { type Command, InvalidArgumentError, Option } from "commander";
import { FLEET_MODES, createFleetProgress, formatFleetSummary, renderFleetHtml, runFleet, type FleetMode } from "../fleet/index.js";
import { note, printLines } from "./output.js";

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("expected a positive integer");
  return n;
}

interface FleetFlags {
  devices: number;
  mode: FleetMode;
  vendors?: string;
  concurrency?: number;
  faults?: string;
  seed?: string;
  shard?: string;
  server?: string;
  serverCa?: string;
  adminToken?: string;
  db?: string;
  workers?: number;
  ek: "rsa" | "ecc";
  ak: "rsa" | "ecc";
  json?: string;
  html?: string;
}

/** Adds `fleet` to the program; `home()` resolves --home / APSIM_HOME. */
export function registerFleetCommand(program: Command, home: () => string): void {
  program
    .command("fleet")
    .description("launch many virtual devices at once and report what happened")
    .requiredOption("--devices <n>", "number of devices (before sharding)", positiveInteger)
    .addOption(
      new Option("--mode <mode>", "what each device does: attest only, or OOBE in an Autopilot mode (mixed: half self-deploying, a quarter each of the others) to MDM enrollment")
        .choices(FLEET_MODES)
        .default("attest"),
    )
    .option("--vendors <weights>", "vendor weights, e.g. IFX:40,STM:20,NTC:10,INTC:20,AMD:10")
    .option("--concurrency <k>", "devices in flight at once (default 64)", positiveInteger)
    .option("--faults <spec>", "e.g. tpm:roca-ek=2%,tpm:no-ek-cert=1%,vendor:INTC=outage")
    .option("--seed <hex>", "fleet seed (default: a fixed seed, so reruns reuse the factory cache)")
    .option("--shard <i/n>", "run the i-th of n disjoint slices of the fleet")
    .option("--server <url>", "base URL of running services (default: start embedded services)")
    .option("--server-ca <file>", "PEM trust anchors of --server (default: this home's TLS CA)")
    .option("--admin-token <token>", "admin token of --server, to publish firmware TPMs' EK certificates and register devices (env APSIM_ADMIN_TOKEN)")
    .option("--db <url>", "database of the embedded services (default: a fresh SQLite file)")
    .option("--workers <n>", "device worker threads (default: one per core)", positiveInteger)
    .addOption(new Option("--ek <kind>", "EK the devices use").choices(["rsa", "ecc"]).default("ecc"))
    .addOption(new Option("--ak <kind>", "AK the devices make").choices(["rsa", "ecc"]).default("ecc"))
    .option("--json <file>", "write the JSON report")
    .option("--html <file>", "write a self-contained HTML report")
    .action(async (flags: FleetFlags) => {
      const abort = new AbortController();
      const stop = () => {
        note("stopping: finishing devices in flight ...");
        abort.abort();
      };
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
      try {
        const result = await runFleet({
          devices: flags.devices,
          home: home(),
          mode: flags.mode,
          ek: flags.ek,
          ak: flags.ak,
          progress: createFleetProgress(flags.devices),
          signal: abort.signal,
          ...(flags.vendors === undefined ? {} : { vendors: flags.vendors }),
          ...(flags.concurrency === undefined ? {} : { concurrency: flags.concurrency }),
          ...(flags.faults === undefined ? {} : { faults: flags.faults }),
          ...(flags.seed === undefined ? {} : { seed: flags.seed }),
          ...(flags.shard === undefined ? {} : { shard: flags.shard }),
          ...(flags.server === undefined ? {} : { server: flags.server }),
          ...(flags.serverCa === undefined ? {} : { serverCa: await readFile(flags.serverCa, "utf8") }),
          ...(flags.adminToken === undefined ? {} : { adminToken: flags.adminToken }),
          ...(flags.db === undefined ? {} : { db: flags.db }),
          ...(flags.workers === undefined ? {} : { workers: flags.workers }),
        });
        if (flags.json !== undefined) await writeFile(flags.json, JSON.stringify(result.report, null, 2) + "\n");
        if (flags.html !== undefined) await writeFile(flags.html, renderFleetHtml(result.report, result.records));
        note(
          `factory: ${result.factory.manufactured} TPMs manufactured, ${result.factory.reused} reused` +
            (result.interrupted ? "; interrupted: the report covers the devices that finished" : ""),
        );
        printLines([formatFleetSummary(result.report)]);
        if (result.interrupted) process.exitCode = 130;
      } finally {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
      }
    });
}
