/** `apsim admin mdm queue|commands`: the OMA-DM command queue of an enrolled device, through the admin API. */
import { readFile } from "node:fs/promises";
import { InvalidArgumentError, type Command } from "commander";
import { loadTlsTrust } from "../certs/index.js";
import { listMdmCommandsAt, queueMdmCommandAt, type DeploymentAdminClientOptions, type MdmCommandDocument } from "../deployment-service/index.js";
import { readAdminToken } from "../lib/index.js";
import { printJson, printLines } from "./output.js";

interface ServerFlags {
  server: string;
  device: string;
  adminToken?: string;
  json?: boolean;
}

async function clientOf(o: ServerFlags, home: () => string): Promise<DeploymentAdminClientOptions> {
  const adminToken = o.adminToken || process.env["APSIM_ADMIN_TOKEN"] || (await readAdminToken(home()));
  if (!adminToken) throw new InvalidArgumentError("no admin token: pass --admin-token or set APSIM_ADMIN_TOKEN");
  return { serverUrl: o.server, adminToken, ca: await loadTlsTrust(home()) };
}

/** `LOCURI=VALUE` of --replace, with an optional `:format` suffix on the URI (`./…/Policy:int=1`). */
function replaceItem(text: string): { target: string; data: string; format?: string } {
  const at = text.indexOf("=");
  if (at <= 0) throw new InvalidArgumentError(`expected LOCURI=VALUE, not ${text}`);
  const [target, format] = text.slice(0, at).split(/:(?=[a-z0-9]+$)/);
  return { target: target!, data: text.slice(at + 1), ...(format === undefined ? {} : { format }) };
}

function describe(command: MdmCommandDocument): string {
  const spec = command["spec"] as { kind?: string; items?: { target?: string }[] } | undefined;
  const targets = spec?.items?.map((item) => item.target).join(", ") ?? "";
  return `${command.commandId}  ${String(spec?.kind ?? "?").padEnd(8)} ${command.state.padEnd(9)} ${command.status ?? "-"}  ${targets}`;
}

/** Adds `admin mdm` to the `admin` command. */
export function registerMdmCommands(admin: Command, home: () => string): void {
  const mdm = admin.command("mdm").description("the OMA-DM command queue of an enrolled device");
  const withDevice = (command: Command) =>
    command
      .requiredOption("--server <url>", "base URL apsim up printed")
      .requiredOption("--device <id>", "the device's MDM DeviceID or enrollment id")
      .option("--admin-token <token>", "admin token (env APSIM_ADMIN_TOKEN, default the home's admin-token file)")
      .option("--json", "print one JSON document");

  withDevice(mdm.command("queue"))
    .description("queue a command for the device's next management session")
    .option("--get <locuri>", "a Get of one node")
    .option("--replace <locuri=value>", "a Replace of one node (LOCURI:format=VALUE for a format other than chr)")
    .option("--command <json|@file>", "any command as the admin API takes it (command-spec JSON)")
    .action(async (o: ServerFlags & { get?: string; replace?: string; command?: string }) => {
      const given = [o.get, o.replace, o.command].filter((v) => v !== undefined).length;
      if (given !== 1) throw new InvalidArgumentError("give exactly one of --get, --replace, --command");
      const command =
        o.get !== undefined
          ? { kind: "Get", items: [{ target: o.get }] }
          : o.replace !== undefined
            ? { kind: "Replace", items: [replaceItem(o.replace)] }
            : (JSON.parse(o.command!.startsWith("@") ? await readFile(o.command!.slice(1), "utf8") : o.command!) as unknown);
      const queued = await queueMdmCommandAt(await clientOf(o, home), o.device, command);
      if (o.json) printJson(queued);
      else printLines([describe(queued)]);
    });

  withDevice(mdm.command("commands"))
    .description("the device's commands in queue order, with their statuses and results")
    .action(async (o: ServerFlags) => {
      const commands = await listMdmCommandsAt(await clientOf(o, home), o.device);
      if (o.json) printJson({ commands });
      else printLines(commands.length === 0 ? ["no commands"] : commands.map(describe));
    });
}
