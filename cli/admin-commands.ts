/** `apsim admin …` commands of the deployment service: CSV import, profiles, users, partner consent, devices. */
import { Argument, InvalidArgumentError, Option, type Command } from "commander";
import { readFile } from "node:fs/promises";
import { loadTlsTrust } from "../certs/index.js";
import {
  createProfileAt,
  createUserAt,
  exportProfileAt,
  grantConsentAt,
  importCsvAt,
  listDevicesAt,
  listProfilesAt,
  revokeConsentAt,
  type DeploymentAdminClientOptions,
} from "../deployment-service/index.js";
import { readAdminToken, writeFileAtomic } from "../lib/index.js";
import { note, printJson, printLines } from "./output.js";

interface ServerOptions {
  server: string;
  adminToken?: string;
  json?: boolean;
}

const withServer = (command: Command): Command =>
  command
    .requiredOption("--server <url>", "base URL apsim up printed")
    .option("--admin-token <token>", "admin token (env APSIM_ADMIN_TOKEN, default the home's admin-token file)")
    .option("--json", "print one JSON document");

async function clientOf(o: ServerOptions, home: () => string): Promise<DeploymentAdminClientOptions> {
  const adminToken = o.adminToken || process.env["APSIM_ADMIN_TOKEN"] || (await readAdminToken(home()));
  if (!adminToken) throw new InvalidArgumentError("no admin token: pass --admin-token or set APSIM_ADMIN_TOKEN");
  return { serverUrl: o.server, adminToken, ca: await loadTlsTrust(home()) };
}

/** Adds the deployment service's commands to the `admin` command. */
export function registerAdminCommands(admin: Command, home: () => string): void {
  withServer(admin.command("import-csv"))
    .description("register the devices of an Autopilot CSV (Device Serial Number,Windows Product ID,Hardware Hash,Group Tag,Assigned User)")
    .addArgument(new Argument("<file>", "the CSV file (ANSI, at most 500 devices)"))
    .action(async (file: string, o: ServerOptions) => {
      const result = await importCsvAt(await clientOf(o, home), await readFile(file));
      if (o.json) printJson(result);
      else {
        printLines([
          `${result.imported.length} device(s) registered`,
          ...result.errors.map((error) => `${error.row === 0 ? "file" : `row ${error.row}`}: ${error.code}: ${error.message}`),
        ]);
      }
      // Every row refused, or part of the file, is a failure of what was asked: the import of the whole file.
      if (result.errors.length > 0) process.exitCode = 1;
    });

  const profile = admin.commands.find((c) => c.name() === "profile") ?? admin.command("profile").description("Autopilot deployment profiles");
  withServer(profile.command("create"))
    .description("create a deployment profile, assigned to a group tag's devices or to every Autopilot device")
    .requiredOption("--name <name>", "profile name")
    .addOption(new Option("--mode <mode>", "deployment mode").choices(["user-driven", "self-deploying"]).makeOptionMandatory())
    .option("--allow-pre-provisioning", "allow pre-provisioned deployment (user-driven only)")
    .addOption(new Option("--join <type>", "join type").choices(["entra", "hybrid"]).default("entra"))
    .option("--group-tag <tag>", "assign to the devices of this group tag (default: every Autopilot device)")
    .option("--device-name <template>", "device name template: letters, digits, hyphens, %SERIAL%, %RAND:x%; at most 15 characters")
    .option("--language <tag>", "language (region) such as en-US; absent: the user chooses")
    .action(
      async (
        o: ServerOptions & { name: string; mode: string; allowPreProvisioning?: boolean; join: string; groupTag?: string; deviceName?: string; language?: string },
      ) => {
        const created = await createProfileAt(await clientOf(o, home), {
          name: o.name,
          settings: {
            mode: o.mode,
            join: o.join,
            allowPreProvisioning: o.allowPreProvisioning === true,
            ...(o.deviceName === undefined ? {} : { deviceNameTemplate: o.deviceName }),
            ...(o.language === undefined ? {} : { language: o.language }),
          },
          assignTo: o.groupTag === undefined ? { allDevices: true } : { groupTag: o.groupTag },
        });
        if (o.json) printJson(created);
        else printLines([`profile ${created.name} (${created.id}) assigned to ${created.groupIds.length} group(s)`]);
      },
    );

  withServer(profile.command("export"))
    .description("write a profile's offline AutopilotConfigurationFile.json (ASCII, for %WINDIR%\\Provisioning\\Autopilot)")
    .requiredOption("--name <name>", "profile name")
    .option("--out <file>", "file to write (default: stdout)")
    .action(async (o: ServerOptions & { name: string; out?: string }) => {
      const client = await clientOf(o, home);
      const found = (await listProfilesAt(client)).find((candidate) => candidate.name === o.name);
      if (found === undefined) throw new InvalidArgumentError(`no profile named ${o.name}`);
      const text = await exportProfileAt(client, found.id);
      if (o.out === undefined) printLines([text]);
      else {
        await writeFileAtomic(o.out, Buffer.from(text, "latin1"));
        note(`wrote ${o.out}`);
      }
    });

  const user = admin.commands.find((c) => c.name() === "user") ?? admin.command("user").description("directory users");
  withServer(user.command("create"))
    .description("create a directory user (the password is stored as a scrypt hash)")
    .requiredOption("--upn <upn>", "user principal name in the tenant's domain")
    .requiredOption("--password <password>", "password (8 characters or more)")
    .action(async (o: ServerOptions & { upn: string; password: string }) => {
      const created = await createUserAt(await clientOf(o, home), { upn: o.upn, password: o.password });
      if (o.json) printJson(created);
      else printLines([`user ${created.upn} (${created.id})`]);
    });

  withServer(admin.command("consent"))
    .description("grant or revoke an OEM's or reseller's consent to register the tenant's devices")
    .addArgument(new Argument("<action>", "what to do").choices(["grant", "revoke"]))
    .requiredOption("--partner <id>", "partner id")
    .action(async (action: "grant" | "revoke", o: ServerOptions & { partner: string }) => {
      const client = await clientOf(o, home);
      if (action === "grant") {
        const consent = await grantConsentAt(client, o.partner);
        if (o.json) printJson(consent);
        else printLines([`${consent.partnerId}: consent granted ${consent.grantedAt}`]);
      } else {
        await revokeConsentAt(client, o.partner);
        if (o.json) printJson({ partnerId: o.partner, revoked: true });
        else printLines([`${o.partner}: consent revoked`]);
      }
    });

  withServer(admin.command("devices"))
    .description("list the registered Autopilot devices")
    .action(async (o: ServerOptions) => {
      const devices = await listDevicesAt(await clientOf(o, home));
      if (o.json) printJson({ devices });
      else if (devices.length === 0) note("no devices registered");
      else printLines(devices.map((d) => [d.serialNumber, d.manufacturer || "-", d.model || "-", d.groupTag || "-", d.assignedUser || "-", d.id].join("\t")));
    });
}
