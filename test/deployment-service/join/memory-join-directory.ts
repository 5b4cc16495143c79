import type { JoinDirectory, JoinRecord, JoinUser, RegisteredJoinDevice } from "../../../deployment-service/index.js";

/** A join directory held in memory, for tests. */
export class MemoryJoinDirectory implements JoinDirectory {
  readonly users = new Map<string, string>();
  readonly devices: RegisteredJoinDevice[] = [];
  readonly joins: JoinRecord[] = [];

  addUser(userPrincipalName: string, password: string): this {
    this.users.set(userPrincipalName.toLowerCase(), password);
    return this;
  }

  addDevice(serialNumber: string, ztdId: string): this {
    this.devices.push({ serialNumber, ztdId });
    return this;
  }

  verifyUser(userPrincipalName: string, password: string): Promise<JoinUser | undefined> {
    const held = this.users.get(userPrincipalName.toLowerCase());
    return Promise.resolve(held !== undefined && held === password ? { userPrincipalName } : undefined);
  }

  findRegisteredDevice(serialOrZtdId: string): Promise<RegisteredJoinDevice | undefined> {
    return Promise.resolve(this.devices.find((d) => d.serialNumber === serialOrZtdId || d.ztdId === serialOrZtdId));
  }

  recordJoin(record: JoinRecord): Promise<void> {
    this.joins.push(record);
    return Promise.resolve();
  }
}
