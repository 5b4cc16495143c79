/** A directory over an in-memory SQLite store with a manual clock and cheap password hashes, for tests. */
import os from "node:os";
import { Directory } from "../../../deployment-service/directory/directory.js";
import { openDeploymentStore, type TenantRecord } from "../../../deployment-service/store/deployment-store.js";
import { ManualClock } from "../../../lib/index.js";
import { encodeHardwareHash } from "../../../protocol/index.js";

/** Test password-hash cost: scrypt's real cost would make every user creation take a tenth of a second. */
export const TEST_PASSWORD_COST = { N: 1 << 10, r: 8, p: 1 };

export interface TestDirectory {
  readonly directory: Directory;
  readonly tenant: TenantRecord;
  readonly clock: ManualClock;
  close(): Promise<void>;
}

export async function openTestDirectory(db: string = ":memory:"): Promise<TestDirectory> {
  const store = await openDeploymentStore({ home: os.tmpdir(), db });
  const clock = new ManualClock(Date.UTC(2026, 2, 1));
  const directory = new Directory({ store, clock, passwordCost: TEST_PASSWORD_COST });
  const tenant = await directory.ensureTenant();
  return { directory, tenant, clock, close: () => store.close() };
}

/** A base64 hardware hash standing for device `n` (the directory only keys on it; it does not decode). */
export function fakeHardwareHash(n: number): string {
  return Buffer.from(`OA hardware hash of device ${n}`).toString("base64");
}

/** A well-formed hardware hash (OA records and CS checksum) of device `n`, base64. */
export function hardwareHashOf(n: number, manufacturer = "Contoso", model = "Laptop 7"): string {
  return encodeHardwareHash({
    smbiosSystemSerialNumber: `SN-${n}`,
    smbiosSystemManufacturer: manufacturer,
    smbiosSystemProductName: model,
    smbiosUuid: `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`,
  }).toString("base64");
}
