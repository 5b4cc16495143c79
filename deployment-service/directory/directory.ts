/**
 * The tenant's directory: users (scrypt password hashes), security groups (static, or dynamic with a membership
 * rule), and the Autopilot devices with their `devicePhysicalIds`. Dynamic memberships are recomputed in the same
 * transaction as the change that can move them: a device registered, re-tagged or removed, a rule created.
 */
import { createHash, randomUUID } from "node:crypto";
import { isUniqueViolation, type Clock } from "../../lib/index.js";
import { ProtocolError } from "../../protocol/index.js";
import type { DeploymentStore, DeviceRecord, DeviceUpdate, GroupRecord, TenantRecord, UserRecord } from "../store/deployment-store.js";
import { MembershipRuleError, evaluateMembershipRule, parseMembershipRule, type RuleDevice, type RuleNode } from "./membership-rule.js";
import { hashPassword, verifyPassword } from "./passwords.js";

/** The tenant domain `apsim up` creates unless told otherwise. */
export const DEFAULT_TENANT_DOMAIN = "contoso.example";

const DOMAIN = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;
const UPN = /^[a-z0-9._%+'-]{1,64}@(.+)$/;
const MAX_PASSWORD_LENGTH = 256;
const MAX_NAME_LENGTH = 256;
const MAX_FIELD_LENGTH = 128;
/** Parsed rules kept (a tenant has a few dozen dynamic groups). */
const MAX_CACHED_RULES = 1024;

/** A device to register. */
export interface NewDevice {
  readonly serialNumber: string;
  readonly productId?: string;
  /** The hardware hash, base64. */
  readonly hardwareHash: string;
  readonly groupTag?: string;
  readonly purchaseOrderId?: string;
  readonly assignedUser?: string;
  readonly manufacturer?: string;
  readonly model?: string;
  /** `csv` or `partner:<id>`. */
  readonly registeredBy: string;
}

/** Options of {@link Directory}. */
export interface DirectoryOptions {
  readonly store: DeploymentStore;
  readonly clock: Clock;
  /** scrypt cost of new password hashes (default: OWASP's minimum). */
  readonly passwordCost?: { N: number; r: number; p: number };
}

/** Hex SHA-256 of a base64 hardware hash's bytes: the key devices are matched on. */
export function hardwareHashDigest(hardwareHash: string): string {
  return createHash("sha256").update(Buffer.from(hardwareHash, "base64")).digest("hex");
}

/** The device's `devicePhysicalIds` as Entra ID lists them for an Autopilot device. */
export function devicePhysicalIds(device: DeviceRecord): string[] {
  const ids = [`[ZTDID]:${device.id}`];
  if (device.groupTag !== "") ids.push(`[OrderID]:${device.groupTag}`);
  if (device.purchaseOrderId !== "") ids.push(`[PurchaseOrderId]:${device.purchaseOrderId}`);
  return ids;
}

function ruleDevice(device: DeviceRecord): RuleDevice {
  return {
    devicePhysicalIds: devicePhysicalIds(device),
    deviceId: device.id,
    displayName: device.serialNumber,
    deviceManufacturer: device.manufacturer,
    deviceModel: device.model,
    enrollmentProfileName: "",
  };
}

/** Parses a rule, as a registry error when it does not parse. */
export function parseGroupRule(rule: string): RuleNode {
  try {
    return parseMembershipRule(rule);
  } catch (error) {
    if (error instanceof MembershipRuleError) throw new ProtocolError("MEMBERSHIP_RULE_INVALID", error.message);
    throw error;
  }
}

function boundedText(value: string | undefined, what: string, max = MAX_FIELD_LENGTH): string {
  const text = (value ?? "").trim();
  if (text.length > max || /[^\x20-\x7e]/.test(text)) throw new ProtocolError("MALFORMED_REQUEST", `${what} must be at most ${max} printable ASCII characters`);
  return text;
}

/** The directory over a store. */
export class Directory {
  readonly store: DeploymentStore;
  private readonly clock: Clock;
  private readonly passwordCost: { N: number; r: number; p: number } | undefined;
  private readonly rules = new Map<string, RuleNode>();

  constructor(options: DirectoryOptions) {
    this.store = options.store;
    this.clock = options.clock;
    this.passwordCost = options.passwordCost;
  }

  /** The tenant of `domain`, created (with a new tenant id) on first use. */
  async ensureTenant(domain: string = DEFAULT_TENANT_DOMAIN): Promise<TenantRecord> {
    const normalized = domain.trim().toLowerCase();
    if (!DOMAIN.test(normalized)) throw new ProtocolError("MALFORMED_REQUEST", `not a domain name: ${domain.slice(0, 100)}`);
    const existing = await this.store.findTenantByDomain(normalized);
    if (existing !== undefined) return existing;
    const tenant: TenantRecord = { id: randomUUID(), domain: normalized, createdAt: this.clock.now() };
    try {
      await this.store.insertTenant(tenant);
      return tenant;
    } catch (error) {
      // Another replica created it first.
      const winner = isUniqueViolation(error) ? await this.store.findTenantByDomain(normalized) : undefined;
      if (winner === undefined) throw error;
      return winner;
    }
  }

  /** Checks that a UPN is well formed and in the tenant's domain; returns it lower-cased. */
  checkUserPrincipalName(tenant: TenantRecord, upn: string): string {
    const normalized = upn.trim().toLowerCase();
    const match = UPN.exec(normalized);
    if (match === null || !DOMAIN.test(match[1]!)) throw new ProtocolError("USER_INVALID", "not a user principal name (user@domain)");
    if (match[1] !== tenant.domain) throw new ProtocolError("USER_DOMAIN_UNKNOWN", `${match[1]} is not ${tenant.domain}`);
    return normalized;
  }

  /** Creates a user with a hashed password. */
  async createUser(tenant: TenantRecord, input: { upn: string; password: string; displayName?: string }): Promise<UserRecord> {
    const upn = this.checkUserPrincipalName(tenant, input.upn);
    if (input.password.length < 8 || input.password.length > MAX_PASSWORD_LENGTH) {
      throw new ProtocolError("USER_INVALID", `a password has 8 to ${MAX_PASSWORD_LENGTH} characters`);
    }
    const displayName = boundedText(input.displayName ?? upn.split("@")[0], "displayName", MAX_NAME_LENGTH);
    if ((await this.store.findUserByUpn(upn)) !== undefined) throw new ProtocolError("USER_EXISTS", upn);
    const user: UserRecord = {
      id: randomUUID(),
      tenantId: tenant.id,
      upn,
      displayName,
      passwordHash: await hashPassword(input.password, this.passwordCost),
      createdAt: this.clock.now(),
    };
    try {
      await this.store.insertUser(user);
    } catch (error) {
      if (isUniqueViolation(error)) throw new ProtocolError("USER_EXISTS", upn);
      throw error;
    }
    return user;
  }

  /** The user when the password is right; undefined otherwise (same answer for an unknown user). */
  async authenticateUser(upn: string, password: string): Promise<UserRecord | undefined> {
    const user = await this.store.findUserByUpn(upn.trim().toLowerCase());
    if (user === undefined) return undefined;
    return (await verifyPassword(password, user.passwordHash)) ? user : undefined;
  }

  /** Creates a group: dynamic when `rule` is given (its members computed now), static otherwise. */
  async createGroup(tenant: TenantRecord, input: { name: string; rule?: string | undefined }): Promise<GroupRecord> {
    const name = boundedText(input.name, "group name", MAX_NAME_LENGTH);
    if (name === "") throw new ProtocolError("MALFORMED_REQUEST", "a group needs a name");
    const parsed = input.rule === undefined ? undefined : parseGroupRule(input.rule);
    const group: GroupRecord = {
      id: randomUUID(),
      tenantId: tenant.id,
      name,
      kind: parsed === undefined ? "static" : "dynamic",
      rule: input.rule,
      createdAt: this.clock.now(),
    };
    await this.store.transaction(async (store) => {
      if ((await store.findGroupByName(tenant.id, name)) !== undefined) throw new ProtocolError("GROUP_EXISTS", name);
      await store.insertGroup(group);
      if (parsed !== undefined) {
        const devices = await store.listDevices(tenant.id);
        await store.setGroupMembers(group.id, devices.filter((device) => evaluateMembershipRule(parsed, ruleDevice(device))).map((d) => d.id));
      }
    });
    return group;
  }

  /** The dynamic group of this name, created with `rule` when absent. */
  async ensureDynamicGroup(tenant: TenantRecord, name: string, rule: string): Promise<GroupRecord> {
    const existing = await this.store.findGroupByName(tenant.id, name);
    if (existing !== undefined) return existing;
    try {
      return await this.createGroup(tenant, { name, rule });
    } catch (error) {
      const winner = error instanceof ProtocolError && error.code === "GROUP_EXISTS" ? await this.store.findGroupByName(tenant.id, name) : undefined;
      if (winner === undefined) throw error;
      return winner;
    }
  }

  /** Adds a device to a static group (dynamic groups take their members from their rule only). */
  async addStaticMember(groupId: string, deviceId: string): Promise<void> {
    const [group, device] = await Promise.all([this.store.findGroup(groupId), this.store.findDevice(deviceId)]);
    if (group === undefined || device === undefined || group.tenantId !== device.tenantId) {
      throw new ProtocolError("NOT_FOUND", group === undefined ? "no such group" : "no such device in the group's tenant");
    }
    if (group.kind !== "static") throw new ProtocolError("MALFORMED_REQUEST", "members of a dynamic group come from its rule");
    await this.store.addGroupMember(groupId, deviceId);
  }

  /**
   * Registers a device and puts it in the dynamic groups whose rule it satisfies, in one transaction.
   * @throws ProtocolError DEVICE_ALREADY_REGISTERED (same hash or serial number in the tenant, or the hash in another
   * tenant), USER_DOMAIN_UNKNOWN.
   */
  async registerDevice(tenant: TenantRecord, input: NewDevice): Promise<DeviceRecord> {
    const serialNumber = boundedText(input.serialNumber, "serialNumber");
    if (serialNumber === "") throw new ProtocolError("MALFORMED_REQUEST", "a device needs a serial number");
    const hardwareHash = input.hardwareHash.trim();
    const bytes = Buffer.from(hardwareHash, "base64");
    if (bytes.length === 0 || bytes.toString("base64") !== hardwareHash) throw new ProtocolError("CSV_HASH_INVALID");
    const assignedUser = input.assignedUser === undefined || input.assignedUser === "" ? "" : this.checkUserPrincipalName(tenant, input.assignedUser);
    const device: DeviceRecord = {
      id: randomUUID(),
      tenantId: tenant.id,
      serialNumber,
      productId: boundedText(input.productId, "productId"),
      hardwareHash,
      hashDigest: hardwareHashDigest(hardwareHash),
      groupTag: boundedText(input.groupTag, "groupTag"),
      purchaseOrderId: boundedText(input.purchaseOrderId, "purchaseOrderId"),
      assignedUser,
      manufacturer: boundedText(input.manufacturer, "manufacturer"),
      model: boundedText(input.model, "model"),
      registeredBy: input.registeredBy,
      registeredAt: this.clock.now(),
    };
    try {
      await this.store.transaction(async (store) => {
        const clash = (await store.findDeviceByHashDigest(tenant.id, device.hashDigest)) ?? (await store.findDeviceBySerial(tenant.id, serialNumber));
        if (clash !== undefined) throw new ProtocolError("DEVICE_ALREADY_REGISTERED", `serial number ${clash.serialNumber}`);
        // A device belongs to one tenant at a time: another tenant's registration must be deleted first.
        if ((await store.findDevicesByHashDigest(device.hashDigest)).length > 0) {
          throw new ProtocolError("DEVICE_ALREADY_REGISTERED", "the device is registered to another tenant");
        }
        await store.insertDevice(device);
        await this.refreshMemberships(store, device);
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new ProtocolError("DEVICE_ALREADY_REGISTERED", `serial number ${serialNumber}`);
      throw error;
    }
    return device;
  }

  /** Changes a device's tag, purchase order or user and recomputes its dynamic memberships. */
  async updateDevice(tenant: TenantRecord, deviceId: string, update: DeviceUpdate): Promise<DeviceRecord> {
    const normalized: DeviceUpdate = {
      ...(update.groupTag === undefined ? {} : { groupTag: boundedText(update.groupTag, "groupTag") }),
      ...(update.purchaseOrderId === undefined ? {} : { purchaseOrderId: boundedText(update.purchaseOrderId, "purchaseOrderId") }),
      ...(update.assignedUser === undefined
        ? {}
        : { assignedUser: update.assignedUser === "" ? "" : this.checkUserPrincipalName(tenant, update.assignedUser) }),
    };
    return this.store.transaction(async (store) => {
      const existing = await store.findDevice(deviceId);
      if (existing === undefined || existing.tenantId !== tenant.id) throw new ProtocolError("NOT_FOUND", "no such device");
      await store.updateDevice(deviceId, normalized);
      const device = (await store.findDevice(deviceId))!;
      await this.refreshMemberships(store, device);
      return device;
    });
  }

  /** Deregisters a device (and drops its memberships); false when it was not registered in the tenant. */
  async removeDevice(tenant: TenantRecord, deviceId: string): Promise<boolean> {
    return this.store.transaction(async (store) => {
      const existing = await store.findDevice(deviceId);
      if (existing === undefined || existing.tenantId !== tenant.id) return false;
      return store.deleteDevice(deviceId);
    });
  }

  /** Recomputes which dynamic groups of its tenant hold `device` (static memberships are left alone). */
  private async refreshMemberships(store: DeploymentStore, device: DeviceRecord): Promise<void> {
    const attributes = ruleDevice(device);
    const current = new Set(await store.groupsOfDevice(device.id));
    for (const group of await store.listGroups(device.tenantId, "dynamic")) {
      const member = evaluateMembershipRule(this.parsedRule(group), attributes);
      if (member && !current.has(group.id)) await store.addGroupMember(group.id, device.id);
      if (!member && current.has(group.id)) await store.removeGroupMember(group.id, device.id);
    }
  }

  private parsedRule(group: GroupRecord): RuleNode {
    const text = group.rule ?? "";
    let parsed = this.rules.get(text);
    if (parsed === undefined) {
      parsed = parseGroupRule(text);
      if (this.rules.size >= MAX_CACHED_RULES) this.rules.clear();
      this.rules.set(text, parsed);
    }
    return parsed;
  }
}
