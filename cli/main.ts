#!/usr/bin/env node
/** `apsim`: parses arguments and calls the modules; no logic of its own. */
import { Argument, Command, InvalidArgumentError, Option } from "commander";
import { readFile } from "node:fs/promises";
import {
  VENDORS,
  describeAikPki,
  describeVendorPki,
  exportTrustBundle,
  formatTpmId,
  initPki,
  issueEkCertificateForOrder,
  loadTlsTrust,
  loadVendorPki,
  parseEkCertificate,
  type KeyKind,
} from "../certs/index.js";
import { adminTokenFile, readAdminToken, resolveHome, writeFileAtomic } from "../lib/index.js";
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
import {
  VENDOR_FAULTS,
  clearVendorFaults,
  getVendorFaults,
  parseVendorFault,
  parseVendorFaultSpec,
  setVendorFaults,
  startServices,
  type AttestationServiceName,
  type VendorFaultsDocument,
} from "../attestation-service/index.js";
import { attestDevice, describeOutcome, describeStep, type AkKind, type EkChoice } from "../agent/index.js";
import { DEFAULT_TENANT_DOMAIN, deploymentServiceMount } from "../deployment-service/index.js";
import { registerAdminCommands } from "./admin-commands.js";
import { registerMdmCommands } from "./mdm-commands.js";
import { registerOobeCommands } from "./oobe-command.js";
import { registerDeviceCommands } from "./device-commands.js";
import { registerFleetCommand } from "./fleet-command.js";
import { registerSyncCommand } from "./sync-command.js";
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

const pki = program.command("pki").description("simulated vendor PKIs, the TPM Root CA and its AIK CAs");

const pkiVendorOption = () => new Option("--vendor <code>", "TPM vendor").choices(VENDORS.map((v) => v.code));

pki
  .command("init")
  .description("create every vendor PKI and the TPM Root CA (existing ones are kept)")
  .option("--json", "print one JSON document")
  .action(async (o: { json?: boolean }) => {
    const summary = await initPki(home());
    if (o.json) {
      printJson(summary);
      return;
    }
    const lines = summary.vendors.map((v) => `${v.code.padEnd(5)} ${v.kind.padEnd(9)} ${v.host}  ${v.cas.join(", ")}`);
    printLines([...lines, `TPM root ${summary.tpmRoot.subject}`]);
  });

pki
  .command("show")
  .description("print a vendor's root and issuing CAs, or (--aik) the TPM Root CA and the AIK CAs (PEM)")
  .addOption(pkiVendorOption())
  .option("--aik", "the TPM Root CA and every AIK issuing CA instead")
  .option("--json", "print one JSON document")
  .action(async (o: { vendor?: string; aik?: boolean; json?: boolean }) => {
    if ((o.vendor === undefined) === (o.aik !== true)) throw new InvalidArgumentError("give either --vendor <code> or --aik");
    const d = o.vendor !== undefined ? describeVendorPki(await loadVendorPki(home(), o.vendor)) : await describeAikPki(home());
    if (o.json) {
      printJson(d);
      return;
    }
    const lines: string[] = [];
    for (const ca of d.cas) {
      lines.push(`# ${ca.role}${"kind" in ca ? ` ${ca.kind.toUpperCase()}` : ""}: ${ca.subject}`, ca.pem.trimEnd(), "");
    }
    printLines(lines);
  });

pki
  .command("issue-ek-cert")
  .description("certify an EK public key as the vendor's factory does; writes DER (as NV 0x01C00002/0x01C0000A hold it)")
  .addOption(pkiVendorOption().makeOptionMandatory())
  .requiredOption("--ek-pub <file>", "the EK public key: PEM, DER, or TPM2B_PUBLIC as tpm2_createek -u writes it")
  .requiredOption("--out <file>", "where to write the certificate (DER)")
  .addOption(new Option("--kind <kind>", "EK kind (default: the key's)").choices(["rsa", "ecc"]))
  .option("--model <model>", "tcg-at-tpmModel (default: the vendor's typical TPM)")
  .option("--firmware <major.minor>", "firmware version (default: the vendor's)", parseFirmware)
  .option("--json", "print one JSON document")
  .action(
    async (o: { vendor: string; ekPub: string; out: string; kind?: KeyKind; model?: string; firmware?: { major: number; minor: number }; json?: boolean }) => {
      const issued = await issueEkCertificateForOrder({
        home: home(),
        vendor: o.vendor,
        ekPublic: await readFile(o.ekPub),
        ...(o.kind ? { kind: o.kind } : {}),
        ...(o.model !== undefined ? { model: o.model } : {}),
        ...(o.firmware ? { firmware: o.firmware } : {}),
        notBefore: new Date(),
      });
      await writeFileAtomic(o.out, issued.der, { mode: 0o644 });
      const parsed = parseEkCertificate(issued.der);
      const doc = {
        vendor: issued.vendor,
        kind: issued.kind,
        model: issued.model,
        version: formatTpmId(issued.version),
        serialNumber: parsed.serialNumber,
        issuer: parsed.issuer,
        out: o.out,
      };
      if (o.json) printJson(doc);
      else printLines([`${doc.out}: ${doc.vendor} ${doc.kind.toUpperCase()} EK certificate, serial ${doc.serialNumber}, issuer ${doc.issuer}`]);
    },
  );

pki
  .command("export-trust")
  .description("write every vendor CA, the TPM Root CA and the AIK CAs in the TrustedTpm.cab folder layout")
  .requiredOption("--out <dir>", "output directory")
  .option("--json", "print one JSON document")
  .action(async (o: { out: string; json?: boolean }) => {
    const summary = await exportTrustBundle(home(), o.out);
    if (o.json) printJson({ out: o.out, files: summary.files });
    else printLines([`${summary.files.length} files in ${o.out}`]);
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

// --- services: apsim up, apsim serve, apsim admin vendor-fault ---

function faultTexts(grammar: "VENDOR=FAULT" | "FAULT"): (value: string, previous: string[]) => string[] {
  return (value, previous) => {
    try {
      if (grammar === "VENDOR=FAULT") parseVendorFault(value);
      else parseVendorFaultSpec(value);
    } catch (e) {
      throw new InvalidArgumentError(e instanceof Error ? e.message : String(e));
    }
    return [...previous, value];
  };
}

const vendorFaultHelp = VENDOR_FAULTS.map((f) => (f.argument === undefined ? f.name : `${f.name}:${f.argument}`)).join(", ");

interface ServicesCommandOptions {
  host: string;
  port: number;
  db?: string;
  allowSoftwareTpm?: boolean;
  vendorFault: string[];
  vendors?: string;
  tenantDomain?: string;
  json?: boolean;
}

/** A service `apsim up` and `apsim serve` run. */
type ServiceName = AttestationServiceName | "deployment";

/** Starts the services, prints where they listen, and stops them cleanly on SIGINT/SIGTERM (exit 0). */
async function runServices(services: ServiceName[], o: ServicesCommandOptions): Promise<void> {
  const serviceHome = home();
  const attestationServices = services.filter((name): name is AttestationServiceName => name !== "deployment");
  // Alone, the deployment service takes --db; beside the attestation service, --db is the attestation service's.
  const deploymentDb = attestationServices.length === 0 ? o.db : undefined;
  const running = await startServices({
    home: serviceHome,
    host: o.host,
    port: o.port,
    services: attestationServices,
    vendorFaults: o.vendorFault,
    extraServices: services.includes("deployment") ? [deploymentServiceMount({ db: deploymentDb, tenantDomain: o.tenantDomain })] : [],
    ...(o.db === undefined || attestationServices.length === 0 ? {} : { db: o.db }),
    ...(o.allowSoftwareTpm === true ? { allowSoftwareTpm: true } : {}),
    ...(o.vendors === undefined ? {} : { vendorsUrl: o.vendors }),
  });
  if (o.json) printJson({ url: running.url, adminTokenFile: adminTokenFile(serviceHome) });
  else printLines([running.url]);
  note(`${services.join(" + ")} listening; admin token in ${adminTokenFile(serviceHome)}; Ctrl-C stops`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    running.close().then(
      () => process.exit(0),
      (e: unknown) => {
        note(`apsim: ${e instanceof Error ? e.message : String(e)}`);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

program
  .command("up")
  .description("run the vendor endpoints, the attestation service and the deployment service on one loopback HTTPS port")
  .option("--host <addr>", "address to listen on", "127.0.0.1")
  .option("--port <n>", "port; 0 picks a free one", parsePort, 0)
  .option("--db <url>", "database of the attestation service (default SQLite under the home)")
  .option("--allow-software-tpm", "let the attestation service certify software TPMs")
  .option("--vendor-fault <VENDOR=FAULT>", `a vendor endpoint fault, repeatable: ${vendorFaultHelp}`, faultTexts("VENDOR=FAULT"), [] as string[])
  .option("--tenant-domain <domain>", "domain of the deployment service's tenant", DEFAULT_TENANT_DOMAIN)
  .option("--json", "print one JSON document {url, adminTokenFile}")
  .action((o: ServicesCommandOptions) => runServices(["vendors", "attestation", "deployment"], o));

program
  .command("serve")
  .description("run one service alone")
  .addArgument(new Argument("<service>", "which service").choices(["vendors", "attestation", "deployment"]))
  .option("--host <addr>", "address to listen on", "127.0.0.1")
  .option("--port <n>", "port; 0 picks a free one", parsePort, 0)
  .option("--db <url>", "database of the attestation or deployment service (default SQLite under the home)")
  .option("--allow-software-tpm", "let the attestation service certify software TPMs")
  .option("--tenant-domain <domain>", "domain of the deployment service's tenant", DEFAULT_TENANT_DOMAIN)
  .option("--vendors <url>", "base URL of the vendor endpoints the attestation service fetches from (default its own)")
  .option("--vendor-fault <VENDOR=FAULT>", `a vendor endpoint fault, repeatable: ${vendorFaultHelp}`, faultTexts("VENDOR=FAULT"), [] as string[])
  .option("--json", "print one JSON document {url, adminTokenFile}")
  .action((service: ServiceName, o: ServicesCommandOptions) => runServices([service], o));

const admin = program.commands.find((c) => c.name() === "admin") ?? program.command("admin").description("change running services");

admin
  .command("vendor-fault")
  .description("show, set or clear a vendor endpoint's faults at a running server")
  .requiredOption("--server <url>", "base URL apsim up printed")
  .addOption(new Option("--vendor <code>", "TPM vendor").choices(VENDORS.map((v) => v.code)).makeOptionMandatory())
  .option("--set <fault>", `replace the vendor's faults with this one, repeatable: ${vendorFaultHelp}`, faultTexts("FAULT"), [] as string[])
  .option("--clear", "switch every fault of the vendor off")
  .option("--admin-token <token>", "admin token (env APSIM_ADMIN_TOKEN, default the home's admin-token file)")
  .option("--json", "print one JSON document")
  .action(async (o: { server: string; vendor: string; set: string[]; clear?: boolean; adminToken?: string; json?: boolean }) => {
    if (o.clear === true && o.set.length > 0) throw new InvalidArgumentError("--set and --clear exclude each other");
    const adminToken = o.adminToken || process.env["APSIM_ADMIN_TOKEN"] || (await readAdminToken(home()));
    if (!adminToken) throw new InvalidArgumentError("no admin token: pass --admin-token or set APSIM_ADMIN_TOKEN");
    const client = { serverUrl: o.server, adminToken, ca: await loadTlsTrust(home()) };
    const result: VendorFaultsDocument =
      o.clear === true
        ? await clearVendorFaults(client, o.vendor)
        : o.set.length > 0
          ? await setVendorFaults(client, o.vendor, o.set)
          : await getVendorFaults(client, o.vendor);
    if (o.json) printJson(result);
    else printLines([`${result.vendor}: ${result.faults.length === 0 ? "no faults" : result.faults.join(", ")}`]);
  });

const deviceCommand =
  program.commands.find((c) => c.name() === "device") ?? program.command("device").description("the virtual device");

deviceCommand
  .command("attest")
  .description('attest the TPM with the attestation service, as Windows does in "Securing your hardware"')
  .requiredOption("--tpm <location>", "the TPM: a state directory, swtpm://host:port, mssim://host:port or /dev/tpmrm0")
  .requiredOption("--server <url>", "base URL apsim up printed")
  .addOption(new Option("--ek <kind>", "endorsement key (auto: the one NV holds a certificate for)").choices(["rsa", "ecc", "auto"]).default("auto"))
  .addOption(new Option("--ak <kind>", "attestation key").choices(["rsa", "ecc"]).default("rsa"))
  .option("--json", "print one JSON document {ok, code, hresult, akCertificate, steps}")
  .action(async (o: { tpm: string; server: string; ek: EkChoice; ak: AkKind; json?: boolean }) => {
    const outcome = await attestDevice({
      tpm: o.tpm,
      serverUrl: o.server,
      ca: await loadTlsTrust(home()),
      ek: o.ek,
      ak: o.ak,
      onStep: (step) => (o.json ? note(describeStep(step)) : printLines([describeStep(step)])),
    });
    if (o.json) printJson(outcome);
    else printLines(describeOutcome(outcome));
    process.exitCode = outcome.ok ? 0 : 1;
  });

registerDeviceCommands(program, home);
registerOobeCommands(program, home);
registerSyncCommand(program, home);
registerAdminCommands(admin, home);
registerMdmCommands(admin, home);
registerFleetCommand(program, home);

program.parseAsync().catch((e: unknown) => {
  process.stderr.write(`apsim: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
