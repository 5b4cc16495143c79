/**
 * The deployment service's directory and Autopilot tables as Kysely sees them. Times are milliseconds since the
 * epoch of the service clock (PostgreSQL hands BIGINT back as text: the query layer converts). Booleans are
 * integers 0/1 on both engines.
 */
/** A tenant: the organisation devices are registered to. */
export interface TenantsTable {
  /** GUID, no braces (CloudAssignedTenantId). */
  id: string;
  /** Primary domain, lower case (`contoso.example`). */
  domain: string;
  created_at: number | string;
}

/** A user of a tenant. */
export interface UsersTable {
  id: string;
  tenant_id: string;
  /** User principal name, lower case. */
  upn: string;
  display_name: string;
  /** `scrypt$N$r$p$salt$hash` (base64url parts); never the password. */
  password_hash: string;
  created_at: number | string;
}

/** A security group: static members, or a dynamic membership rule. */
export interface GroupsTable {
  id: string;
  tenant_id: string;
  name: string;
  kind: "static" | "dynamic";
  /** The membership rule text of a dynamic group; null for a static one. */
  rule: string | null;
  created_at: number | string;
}

/** Members of a group: added by hand (static) or by the rule (dynamic). */
export interface GroupMembersTable {
  group_id: string;
  device_id: string;
}

/** A registered Autopilot device. */
export interface DevicesTable {
  /** The ZTDID (GUID), the device's `[ZTDID]:` physical id. */
  id: string;
  tenant_id: string;
  serial_number: string;
  product_id: string;
  /** The hardware hash, base64 as registered. */
  hardware_hash: string;
  /** Hex SHA-256 of the hash bytes: the key a device's profile request is matched on. */
  hash_digest: string;
  /** `[OrderID]:` physical id; empty when none. */
  group_tag: string;
  /** `[PurchaseOrderId]:` physical id; empty when none. */
  purchase_order_id: string;
  /** UPN of the assigned user, lower case; empty when none. */
  assigned_user: string;
  manufacturer: string;
  model: string;
  /** Who registered it: `csv` or `partner:<id>`. */
  registered_by: string;
  registered_at: number | string;
}

/** Partners (OEMs, resellers) the tenant lets register devices for it. */
export interface PartnerConsentsTable {
  tenant_id: string;
  partner_id: string;
  granted_at: number | string;
}

/** An Autopilot deployment profile. */
export interface ProfilesTable {
  id: string;
  tenant_id: string;
  name: string;
  /** JSON of the profile's settings (see profiles/profile.ts). */
  settings: string;
  /** Creation time orders conflicting assignments: the oldest profile wins. */
  created_at: number | string;
}

/** A profile assigned to a group. */
export interface ProfileAssignmentsTable {
  profile_id: string;
  group_id: string;
  assigned_at: number | string;
}

/** The database the service's queries are typed against. */
export interface DeploymentDatabase {
  tenants: TenantsTable;
  users: UsersTable;
  groups: GroupsTable;
  group_members: GroupMembersTable;
  devices: DevicesTable;
  partner_consents: PartnerConsentsTable;
  profiles: ProfilesTable;
  profile_assignments: ProfileAssignmentsTable;
}
