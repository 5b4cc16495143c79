/**
 * Registers the devices of an Autopilot CSV (memdocs autopilot/add-devices.md): a file-level problem (header,
 * more than 500 rows, Unicode) refuses the whole file; otherwise each row is registered on its own, the good rows
 * are kept, and every refused row is reported with its line number and a registry code.
 */
import { ProtocolError, parseAutopilotCsv, type AutopilotCsvError } from "../../protocol/index.js";
import type { Directory } from "../directory/directory.js";
import type { DeviceRecord, TenantRecord } from "../store/deployment-store.js";
import { hashIdentity } from "./hash-identity.js";

/** Outcome of an import. */
export interface RegistrationResult {
  readonly imported: readonly DeviceRecord[];
  readonly errors: readonly AutopilotCsvError[];
}

/** Imports an Autopilot CSV into the tenant. */
export async function importAutopilotCsv(directory: Directory, tenant: TenantRecord, file: string | Buffer): Promise<RegistrationResult> {
  const parsed = parseAutopilotCsv(file);
  const errors: AutopilotCsvError[] = [...parsed.errors];
  const imported: DeviceRecord[] = [];
  for (const row of parsed.rows) {
    try {
      const identity = hashIdentity(row.hardwareHash);
      imported.push(
        await directory.registerDevice(tenant, {
          serialNumber: row.serialNumber,
          productId: row.productId,
          hardwareHash: row.hardwareHash,
          groupTag: row.groupTag,
          assignedUser: row.assignedUser,
          ...identity,
          registeredBy: "csv",
        }),
      );
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      errors.push({ row: row.row, code: error.code, message: error.message });
    }
  }
  errors.sort((a, b) => a.row - b.row);
  return { imported, errors };
}
