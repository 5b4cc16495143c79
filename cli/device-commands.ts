/** `apsim device create|hash|models` and `apsim hash decode`: parse the flags and call the agent and protocol. */
import { randomBytes } from "node:crypto";
import { type Command, InvalidArgumentError, Option } from "commander";
import { HARDWARE_CATALOGUE, createDeviceDirectory, hardwareHashOfDirectory, type DeviceDescription } from "../agent/index.js";
import { writeFileAtomic } from "../lib/index.js";
import { AUTOPILOT_CSV_HEADER, describeHardwareHash, formatAutopilotCsv, hardwareHashReport } from "../protocol/index.js";
import { VENDOR_PROFILES } from "../tpm-emulator/index.js";
import { note, printJson, printLines } from "./output.js";

function parseSeed(value: string): Buffer {
  if (!/^([0-9a-fA-F]{2}){16,64}$/.test(value)) throw new InvalidArgumentError("expected 32 to 128 hex digits");
  return Buffer.from(value, "hex");
}

/** Errors with a stable code end the command with the code in the message. */
async function withCode(run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (error instanceof Error && typeof code === "string") throw new Error(`${error.message} (${code})`, { cause: error });
    throw error;
  }
}

function describeDevice(dir: string, d: DeviceDescription): string[] {
  const tpm = d.tpm.kind === "none" ? "none" : `${d.tpm.kind} (${d.tpm.vendor})`;
  return [
    `device        ${d.smbios.productName} by ${d.smbios.manufacturer} (model ${d.model}) in ${dir}`,
    `serial        ${d.smbios.serialNumber}   sku ${d.smbios.sku}   uuid ${d.smbios.uuid}`,
    `cpu           ${d.cpu.brand}, ${d.cpu.cores} cores / ${d.cpu.logicalProcessors} threads; ${d.memory.totalGb} GB`,
    `disk          ${d.disk.model.trim()} ${d.disk.sizeGb} GB, serial '${d.disk.serialNumber}'`,
    `network       ${d.nics.map((n) => `${n.mac} (${n.bus})`).join(", ")}`,
    `windows       ${d.os.edition} ${d.os.major}.${d.os.minor}.${d.os.build}.${d.os.revision}`,
    `tpm           ${tpm}`,
  ];
}

/** Adds `device create`, `device hash`, `device models` and `hash decode`; `home()` resolves --home / APSIM_HOME. */
export function registerDeviceCommands(program: Command, home: () => string): void {
  const device = program.commands.find((c) => c.name() === "device") ?? program.command("device").description("the virtual device");

  device
    .command("create")
    .description("make a virtual device (hardware from the catalogue and its TPM) in a directory")
    .option("--model <id>", `catalogue model (default: an ordinary model for the vendor): ${HARDWARE_CATALOGUE.map((m) => m.id).join(", ")}`)
    .addOption(new Option("--vendor <code>", "TPM vendor").choices(VENDOR_PROFILES.map((p) => p.code)).makeOptionMandatory())
    .requiredOption("--dir <dir>", "the device's directory (must not hold a device yet)")
    .option("--seed <hex>", "generation seed (same seed, model and vendor: same device); random when absent", parseSeed)
    .option("--tpm-fault <fault>", "a TPM fault for security testing, as `apsim tpm manufacture --fault` (repeatable)", (v: string, all: string[]) => [...all, v], [] as string[])
    .option("--json", "print one JSON document {dir, seed, device}")
    .action((o: { model?: string; vendor: string; dir: string; seed?: Buffer; tpmFault: string[]; json?: boolean }) =>
      withCode(async () => {
        const seed = o.seed ?? randomBytes(32);
        const { description } = await createDeviceDirectory({
          dir: o.dir,
          home: home(),
          vendor: o.vendor,
          seed,
          ...(o.model === undefined ? {} : { model: o.model }),
          ...(o.tpmFault.length === 0 ? {} : { tpmFaults: o.tpmFault }),
        });
        if (o.json) {
          printJson({ dir: o.dir, seed: description.seed, device: description });
          return;
        }
        if (!o.seed) note(`seed: ${description.seed}`);
        printLines(describeDevice(o.dir, description));
      }),
    );

  device
    .command("hash")
    .description("the device's Autopilot hardware hash (base64), or the Get-WindowsAutopilotInfo CSV with --csv")
    .requiredOption("--dir <dir>", "the device's directory")
    .option("--csv <file>", `write the CSV (${AUTOPILOT_CSV_HEADER})`)
    .option("--group-tag <tag>", "Group Tag column of the CSV", "")
    .option("--assigned-user <upn>", "Assigned User column of the CSV", "")
    .option("--json", "print one JSON document {serialNumber, productId, hardwareHash, findings}")
    .action((o: { dir: string; csv?: string; groupTag: string; assignedUser: string; json?: boolean }) =>
      withCode(async () => {
        const { description, hash } = await hardwareHashOfDirectory(o.dir);
        const hardwareHash = hash.toString("base64");
        // Get-WindowsAutopilotInfo leaves the product ID empty (only OEMs can read the PKID reliably).
        const record = { serialNumber: description.smbios.serialNumber, productId: "", hardwareHash, groupTag: o.groupTag, assignedUser: o.assignedUser };
        if (o.csv !== undefined) await writeFileAtomic(o.csv, formatAutopilotCsv([record]));
        const findings = hardwareHashReport(hash).findings;
        if (o.json) {
          printJson({ serialNumber: record.serialNumber, productId: record.productId, hardwareHash, findings, ...(o.csv ? { csv: o.csv } : {}) });
          return;
        }
        for (const f of findings) note(`${f.scope === "all" ? "critical" : "critical for TPM attestation"}: ${f.code} ${f.field}: ${f.message}`);
        if (o.csv !== undefined) note(`wrote ${o.csv}`);
        else printLines([hardwareHash]);
      }),
    );

  device
    .command("models")
    .description("list the hardware catalogue")
    .option("--json", "print one JSON document")
    .action((o: { json?: boolean }) => {
      if (o.json) printJson(HARDWARE_CATALOGUE);
      else
        printLines(
          HARDWARE_CATALOGUE.map((m) => {
            const tpm = m.tpm.kind === "tpm20" || m.tpm.kind === "tpm12" ? `${m.tpm.kind} ${m.tpm.vendors.join("/")}` : m.tpm.kind;
            return `${m.id.padEnd(32)} ${tpm.padEnd(22)} ${m.description}`;
          }),
        );
    });

  const hash = program.commands.find((c) => c.name() === "hash") ?? program.command("hash").description("Autopilot hardware hashes");
  hash
    .command("decode")
    .description("decode a hardware hash, check its checksum and flag missing critical fields (like oa3tool /DecodeHwHash)")
    .argument("<base64>", "the hash as the CSV carries it")
    .option("--json", "print one JSON document {size, checksumOffset, checksum, records, findings}")
    .action((base64: string, o: { json?: boolean }) =>
      withCode(() => {
        const report = hardwareHashReport(base64);
        if (o.json) printJson(report);
        else printLines(describeHardwareHash(report));
        return Promise.resolve();
      }),
    );
}
