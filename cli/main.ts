#!/usr/bin/env node
/** `apsim`: parses arguments and calls the modules; no logic of its own. */
import { Command, InvalidArgumentError, Option } from "commander";
import { describeVendorPki, loadVendorPki } from "../certs/index.js";
import { resolveHome } from "../lib/index.js";
import {
  TpmEmulator,
  VENDOR_PROFILES,
  describeTpm,
  manufactureTpm,
  runFactoryCheck,
  serveTpm,
  FAULTS,
  parseTpmFault,
  type TpmFault,
  type EkKind,
  type TpmProtocol,
} from "../tpm-emulator/index.js";
import { note, printJson, printLines } from "./output.js";

const program = new Command("apsim")
  .description("Windows Autopilot device emulator on a software TPM 2.0")
  .showHelpAfterError()
  .option("--home <dir>", "home directory for PKI and state (env APSIM_HOME, default ~/.apsim)");

function home(): string {
  return resolveHome({ home: program.opts<{ home?: string }>().home });
}

function parseHex(value: string): Buffer {
  if (!/^([0-9a-fA-F]{2}){16,64}$/.test(value)) throw new InvalidArgumentError("expected 32 to 128 hex digits");
  return Buffer.from(value, "hex");
}

function collectFault(value: string, previous: TpmFault[]): TpmFault[] {
  try {
    return [...previous, parseTpmFault(value)];
  } catch (e) {
    throw new InvalidArgumentError(e instanceof Error ? e.message : String(e));
  }
}

function parseFirmware(value: string): { major: number; minor: number } {
  const m = /^(\d{1,5})\.(\d{1,5})$/.exec(value);
  if (!m || Number(m[1]) > 0xffff || Number(m[2]) > 0xffff) throw new InvalidArgumentError("expected MAJOR.MINOR");
  return { major: Number(m[1]), minor: Number(m[2]) };
}

const vendorOption = () =>
  new Option("--vendor <code>", "TPM vendor").choices(VENDOR_PROFILES.map((p) => p.code)).makeOptionMandatory();

const tpm = program.command("tpm").description("software TPMs: manufacture, inspect");

tpm
  .command("manufacture")
  .description("make a new TPM the way its vendor's factory does")
  .addOption(vendorOption())
  .addOption(new Option("--ek <kind>", "endorsement keys to provision").choices(["rsa", "ecc", "both"]))
  .requiredOption("--state <dir>", "directory for the TPM's NV state")
  .option("--seed <hex>", "manufacturing seed (same seed, same TPM); random when absent", parseHex)
  .option("--firmware <major.minor>", "firmware version", parseFirmware)
  .option(
    "--fault <fault>",
    `a fault switch, repeatable: ${FAULTS.map((f) => (f.argument ? `${f.name}:${f.argument}` : f.name)).join(", ")}`,
    collectFault,
    [] as TpmFault[],
  )
  .option("--json", "print one JSON document")
  .action(async (o: { vendor: string; ek?: string; state: string; seed?: Buffer; firmware?: { major: number; minor: number }; fault: TpmFault[]; json?: boolean }) => {
    const { randomBytes } = await import("node:crypto");
    const seed = o.seed ?? randomBytes(32);
    const eks: EkKind[] | undefined = o.ek === undefined ? undefined : o.ek === "both" ? ["rsa", "ecc"] : [o.ek as EkKind];
    const made = await manufactureTpm({
      vendor: o.vendor,
      stateDir: o.state,
      home: home(),
      seed,
      ...(eks ? { eks } : {}),
      ...(o.firmware ? { firmware: o.firmware } : {}),
      faults: o.fault,
    });
    const info = describeTpm(made);
    if (o.json) {
      printJson({ ...info, seed: o.seed ? undefined : seed.toString("hex"), state: o.state });
      return;
    }
    if (!o.seed) note(`seed: ${seed.toString("hex")}`);
    printInfo(info);
  });

tpm
  .command("info")
  .description("print a TPM's vendor, firmware, EKs, NV indices and PCRs")
  .requiredOption("--state <dir>", "the TPM's state directory")
  .option("--json", "print one JSON document")
  .action((o: { state: string; json?: boolean }) => {
    const info = describeTpm(TpmEmulator.open(o.state));
    if (o.json) printJson(info);
    else printInfo(info);
  });

tpm
  .command("serve")
  .description("serve a TPM on loopback sockets for tpm2-tools, the TSS and other TPM software")
  .requiredOption("--state <dir>", "the TPM's state directory")
  .option("--host <addr>", "address to listen on", "127.0.0.1")
  .option("--port <n>", "command port (the control/platform port is port+1); 0 picks one", parsePort, 2321)
  .addOption(new Option("--protocol <p>", "socket protocol: swtpm (TCTI swtpm) or mssim (TCTI mssim)").choices(["swtpm", "mssim"]).default("swtpm"))
  .option("--object-slots <n>", "transient object slots (3 behaves like a small hardware TPM)", parseSlots)
  .option("--json", "print one JSON document with the ports")
  .action(async (o: { state: string; host: string; port: number; protocol: TpmProtocol; objectSlots?: number; json?: boolean }) => {
    const emulator = TpmEmulator.open(o.state, o.objectSlots ? { limits: { objectSlots: o.objectSlots } } : {});
    let stopping = false;
    const stop = async () => {
      if (stopping) return;
      stopping = true;
      await server.close();
      emulator.save();
      process.exit(0);
    };
    const server = await serveTpm(emulator, { host: o.host, port: o.port, protocol: o.protocol, onStop: () => void stop() });
    const tcti = `${o.protocol}:host=${server.host},port=${server.port}`;
    if (o.json) printJson({ host: server.host, port: server.port, controlPort: server.controlPort, protocol: o.protocol, tcti });
    else printLines([`listening on ${server.host}:${server.port} (commands) and ${server.controlPort} (${o.protocol === "swtpm" ? "control" : "platform"})`, `TPM2TOOLS_TCTI=${tcti}`]);
    process.on("SIGINT", () => void stop());
    process.on("SIGTERM", () => void stop());
  });

function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65534) throw new InvalidArgumentError("expected a port number below 65535");
  return n;
}

function parseSlots(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1024) throw new InvalidArgumentError("expected 1 to 1024");
  return n;
}

function printInfo(info: ReturnType<typeof describeTpm>): void {
  const lines = [
    `vendor        ${info.vendor} (${info.manufacturerId}) ${info.model}, ${info.kind} TPM`,
    `firmware      ${info.firmware}`,
  ];
  for (const [kind, digest] of Object.entries(info.ekPublicSha256)) {
    const cert = info.ekCertificates[kind as EkKind] ? "certificate in NV" : "no certificate in NV";
    lines.push(`EK ${kind.padEnd(10)} sha256(spki) ${digest}, ${cert}`);
  }
  for (const nv of info.nvIndices) lines.push(`NV ${nv.index}  attributes ${nv.attributes}  ${nv.size} bytes`);
  if (info.faults.length) lines.push(`faults        ${info.faults.join(", ")}`);
  printLines(lines);
}

program
  .command("pki")
  .description("simulated vendor PKIs")
  .command("show")
  .description("print every root and issuing CA of a vendor (PEM)")
  .addOption(vendorOption())
  .option("--json", "print one JSON document")
  .action(async (o: { vendor: string; json?: boolean }) => {
    const d = describeVendorPki(await loadVendorPki(home(), o.vendor));
    if (o.json) {
      printJson(d);
      return;
    }
    const lines: string[] = [];
    for (const ca of d.cas) lines.push(`# ${ca.role} ${ca.kind.toUpperCase()}: ${ca.subject}`, ca.pem.trimEnd(), "");
    printLines(lines);
  });

program
  .command("demo")
  .description("manufacture TPMs of several vendors and check their identities (the main job for now)")
  .option("--json", "print one JSON document")
  .action(async (o: { json?: boolean }) => {
    note("manufacturing one TPM per vendor ...");
    const rows = await runFactoryCheck({ home: home(), vendors: VENDOR_PROFILES.map((p) => p.code) });
    if (o.json) {
      printJson({ tpms: rows });
      return;
    }
    const lines = ["vendor  id          model       kind      firmware  EK   sha256(EK public)   EK certificate"];
    for (const r of rows) {
      for (const ek of r.eks) {
        lines.push(
          `${r.vendor.padEnd(7)} ${r.manufacturerId}  ${r.model.padEnd(11)} ${r.kind.padEnd(9)} ${r.firmware.padEnd(9)} ${ek.kind}  ${ek.publicSha256.slice(0, 16)}... ${ek.certificate}`,
        );
      }
    }
    printLines(lines);
    if (rows.some((r) => r.eks.some((e) => e.certificate.startsWith("invalid")))) process.exitCode = 1;
  });

program.parseAsync().catch((e: unknown) => {
  process.stderr.write(`apsim: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
