/**
 * What the join service needs of the directory: who the users are, which devices are registered with Autopilot,
 * and where a join is recorded. The deployment service's directory implements it; tests use an in-memory one.
 */
import type { JoinMode, JoinType } from "../../protocol/index.js";

/** A user whose credentials were accepted. */
export interface JoinUser {
  readonly userPrincipalName: string;
}

/** A device registered with Autopilot, as the join service sees it. */
export interface RegisteredJoinDevice {
  /** The Autopilot (ZTD) id. */
  readonly ztdId: string;
  readonly serialNumber: string;
  /** Hex SHA-256 of the EK public key from the hardware hash, when the registration holds one. */
  readonly ekPublicKeyHash?: string;
}

/** A completed join. */
export interface JoinRecord {
  readonly deviceId: string;
  readonly ztdId: string;
  readonly serialNumber: string;
  readonly mode: JoinMode;
  readonly joinType: JoinType;
  /** The user whose credentials joined the device (user-driven). */
  readonly userPrincipalName?: string;
  /** Hex SHA-256 of the device identity certificate's DER. */
  readonly certificateThumbprint: string;
  /** Hybrid join: the computer account made for the device. */
  readonly machineName?: string;
  /** Service clock, ms since the epoch. */
  readonly joinedAt: number;
}

/** The directory operations of a join. */
export interface JoinDirectory {
  /** The user when `password` is theirs; undefined for an unknown user or a wrong password (never say which). */
  verifyUser(userPrincipalName: string, password: string): Promise<JoinUser | undefined>;
  /** The registered device with this serial number or ZTD id. */
  findRegisteredDevice(serialOrZtdId: string): Promise<RegisteredJoinDevice | undefined>;
  recordJoin(record: JoinRecord): Promise<void>;
}
