/**
 * The edition upgrade the server Exec'd (WindowsLicensing CSP, UpgradeEditionWithProductKey): the simulated device
 * takes any well-formed key as an Enterprise key (a Pro → Enterprise upgrade needs no reinstall) and reports the
 * new edition's SKU in `Edition` and the upgrade as completed in `Status`.
 */
import type { Clock } from "../../../lib/index.js";
import type { CspTree } from "../csp/csp-tree.js";
import type { AppRunReport } from "./msi-jobs.js";

const LICENSING = "./Device/Vendor/MSFT/WindowsLicensing";
/** PRODUCT_ENTERPRISE, the SKU id Windows reports for Enterprise. */
export const EDITION_ENTERPRISE = 4;
/** WindowsLicensing Status: 3 is "Completed". */
export const LICENSING_STATUS_COMPLETED = 3;

/** Applies an edition upgrade the tree recorded and the device has not applied yet. */
export async function applyEditionUpgrade(tree: CspTree, clock: Clock): Promise<AppRunReport[]> {
  const requested = tree.execRecords().some((record) => record.behaviour === "edition-upgrade");
  if (!requested || tree.read(`${LICENSING}/Edition`)?.value === String(EDITION_ENTERPRISE)) return [];
  const at = clock.now();
  await tree.setDeviceValue(`${LICENSING}/Edition`, "int", String(EDITION_ENTERPRISE));
  await tree.setDeviceValue(`${LICENSING}/Status`, "int", String(LICENSING_STATUS_COMPLETED));
  return [{ kind: "edition", key: "Enterprise", outcome: "success", exitCode: 0, lastError: 0, startedAt: at, endedAt: at }];
}
