/** The deployment service over HTTPS with one user, for the sign-in and Federated page tests. */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Dispatcher } from "undici";
import type { EnrollingDevice } from "../../../agent/index.js";
import { startServices, type RunningServices } from "../../../attestation-service/index.js";
import { loadTlsTrust } from "../../../certs/index.js";
import { createUserAt, deploymentServiceMount, tenantAt } from "../../../deployment-service/index.js";
import { ManualClock, createHttpsAgent } from "../../../lib/index.js";
import { TEST_PASSWORD_COST } from "./directory.js";

export const TENANT_DOMAIN = "fabrikam.example";
export const USER = { upn: `adele@${TENANT_DOMAIN}`, password: "Correct horse 1" } as const;

export interface SignInServer {
  readonly services: RunningServices;
  readonly url: string;
  readonly ca: string;
  readonly dispatcher: Dispatcher;
  readonly clock: ManualClock;
  readonly tenantId: string;
  close(): Promise<void>;
}

export async function startSignInServer(): Promise<SignInServer> {
  const home = await mkdtemp(path.join(os.tmpdir(), "apsim-sign-in-"));
  const ca = await loadTlsTrust(home);
  const dispatcher = createHttpsAgent({ ca });
  const clock = new ManualClock(Date.UTC(2026, 2, 1));
  const services = await startServices({
    home,
    port: 0,
    services: [],
    clock,
    extraServices: [deploymentServiceMount({ tenantDomain: TENANT_DOMAIN, passwordCost: TEST_PASSWORD_COST })],
  });
  const client = { serverUrl: services.url, adminToken: services.adminToken, ca };
  await createUserAt(client, USER);
  const tenant = await tenantAt(client);
  return {
    services,
    url: services.url,
    ca,
    dispatcher,
    clock,
    tenantId: tenant.id,
    async close() {
      await services.close();
      await dispatcher.close();
      await rm(home, { recursive: true, force: true });
    },
  };
}

/** An enrolling device whose DeviceID ends in `suffix` (each test enrolls its own). */
export function enrollingDevice(suffix: string): EnrollingDevice {
  return {
    deviceId: `1E08C6E95D8BB843B1278FF45BC6${suffix}`,
    hwDevId: "3B3ED6D0EA88CBFCF37D36F90F22FE61172348C0162FC3840D6703149870CE76",
    deviceName: "DESKTOP-28FGAI6",
    macAddresses: ["00-0C-29-51-60-9D"],
    osEdition: 48,
    osVersion: "10.0.19043.2364",
    locale: "en-US",
  };
}
