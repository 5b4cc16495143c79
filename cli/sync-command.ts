/** `apsim device sync`: one OMA-DM management session of an enrolled device with its management server. */
import type { Command } from "commander";
import { VirtualDevice, type ManagementSessionResult } from "../agent/index.js";
import { loadTlsTrust } from "../certs/index.js";
import { printJson, printLines } from "./output.js";

/** The `--json` document of `apsim device sync`. */
function syncDocument(result: ManagementSessionResult): Record<string, unknown> {
  return {
    sessionId: result.sessionId,
    messagesSent: result.messagesSent,
    commandsAnswered: result.commandsAnswered,
    serverStatuses: result.serverStatuses.map((status) => ({ cmd: status.cmd, cmdRef: status.cmdRef, code: status.data })),
  };
}

/** Adds `device sync`; `home()` resolves --home / APSIM_HOME (its TLS CA is trusted). */
export function registerSyncCommand(program: Command, home: () => string): void {
  const device = program.commands.find((c) => c.name() === "device") ?? program.command("device").description("the virtual device");
  device
    .command("sync")
    .description("run one management session with the MDM server the device enrolled with; the server's commands apply to its CSP settings")
    .requiredOption("--dir <dir>", "the device's directory (enrolled by OOBE)")
    .option("--json", "print one JSON document {sessionId, messagesSent, commandsAnswered, serverStatuses}")
    .action(async (o: { dir: string; json?: boolean }) => {
      const virtualDevice = await VirtualDevice.open(o.dir);
      const result = await virtualDevice.sync({ ca: await loadTlsTrust(home()) });
      if (o.json) printJson(syncDocument(result));
      else printLines([`session ${result.sessionId}: ${result.commandsAnswered} command(s) applied in ${result.messagesSent} message(s)`]);
    });
}
