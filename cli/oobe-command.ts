/** `apsim device oobe` and `apsim device technician`: parse the flags and run the device's OOBE. */
import type { Command } from "commander";
import { STEP_TITLES, VirtualDevice, type DeviceOobeResult, type OobeStep, type TechnicianView } from "../agent/index.js";
import { loadTlsTrust } from "../certs/index.js";
import { note, printJson, printLines } from "./output.js";

/** One line per step, as the OOBE screens word it ("Securing your hardware (Failed: 0x800705b4)"). */
function describeOobeStep(step: OobeStep, detail?: string): string {
  const title = STEP_TITLES[step.name];
  if (step.status === "ok") return `  ok    ${title} (${step.ms} ms)`;
  if (step.status === "previousStepFailed") return `  --    ${title} (Previous step failed)`;
  return `  FAIL  ${title} (Failed: ${step.hresult}) ${step.code}${detail === undefined ? "" : `: ${detail}`}`;
}

function describeTechnicianView(view: TechnicianView): string[] {
  return [
    `profile       ${view.profileName}${view.preProvisioningAllowed ? "" : " (pre-provisioning not allowed)"}`,
    `organization  ${view.organization}`,
    `assigned user ${view.assignedUser ?? "(none)"}`,
    `QR code       ${view.qrPayload}`,
  ];
}

/** The `--json` document of `apsim device oobe`. */
function oobeDocument(result: DeviceOobeResult): Record<string, unknown> {
  return {
    ok: result.ok,
    mode: result.mode,
    code: result.code,
    hresult: result.hresult,
    steps: result.steps,
    deviceName: result.deviceName,
    enrollmentId: result.enrollmentId,
    stage: result.state.stage,
  };
}

/** Adds `device oobe` and `device technician`; `home()` resolves --home / APSIM_HOME (its TLS CA is trusted). */
export function registerOobeCommands(program: Command, home: () => string): void {
  const device = program.commands.find((c) => c.name() === "device") ?? program.command("device").description("the virtual device");

  device
    .command("oobe")
    .description("walk the device through OOBE against a deployment server: profile, then its mode's steps to MDM enrollment")
    .requiredOption("--dir <dir>", "the device's directory")
    .requiredOption("--server <url>", "base URL apsim up printed")
    .option("--user <upn>", "the user who signs in (user-driven; the user flow after a pre-provisioning reseal)")
    .option("--password <password>", "the user's password")
    .option("--technician", "the pre-provisioning technician flow: Provision, then Reseal")
    .option("--json", "print one JSON document {ok, mode, code, hresult, steps, deviceName, enrollmentId, stage}")
    .action(async (o: { dir: string; server: string; user?: string; password?: string; technician?: boolean; json?: boolean }) => {
      if ((o.user === undefined) !== (o.password === undefined)) throw new Error("--user and --password go together");
      const virtualDevice = await VirtualDevice.open(o.dir);
      const ca = await loadTlsTrust(home());
      const say = (lines: string[]) => (o.json ? lines.forEach((line) => note(line)) : printLines(lines));
      if (o.technician === true) say(describeTechnicianView(await virtualDevice.technicianView({ serverUrl: o.server, ca })));
      const result = await virtualDevice.oobe({
        serverUrl: o.server,
        ca,
        ...(o.user === undefined || o.password === undefined ? {} : { user: { upn: o.user, password: o.password } }),
        ...(o.technician === true ? { technician: true } : {}),
        onStep: (step, detail) => say([describeOobeStep(step, detail)]),
      });
      if (o.json) printJson(oobeDocument(result));
      else {
        const outcome = result.ok ? (result.state.stage === "resealed" ? "provisioned and resealed" : "reached the desktop") : `stopped: ${result.code} ${result.hresult}`;
        printLines([`${result.deviceName ?? "device"} (${result.mode ?? "no profile"}): ${outcome}${result.enrollmentId === null ? "" : `; enrollment ${result.enrollmentId}`}`]);
      }
      process.exitCode = result.ok ? 0 : 1;
    });

  device
    .command("technician")
    .description("what the pre-provisioning technician's screen shows (profile, organization, assigned user, QR code)")
    .requiredOption("--dir <dir>", "the device's directory")
    .requiredOption("--server <url>", "base URL apsim up printed")
    .option("--json", "print one JSON document")
    .action(async (o: { dir: string; server: string; json?: boolean }) => {
      const view = await (await VirtualDevice.open(o.dir)).technicianView({ serverUrl: o.server, ca: await loadTlsTrust(home()) });
      if (o.json) printJson(view);
      else printLines(describeTechnicianView(view));
    });
}
