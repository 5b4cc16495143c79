/**
 * What the enrollment endpoints need from the directory: checking the credential a device presents. Injected, so
 * the endpoints do not depend on how the directory stores users and devices or signs its tokens.
 */

/** Who is enrolling, once a credential checked out. */
export interface EnrollmentIdentity {
  /** The user the device enrolls for; absent for a device enrolling on its own. */
  readonly userPrincipalName?: string | undefined;
  /** The directory's id of a joined device that presented its device token. */
  readonly deviceId?: string | undefined;
  /** A device enrolling with no user (self-deploying, pre-provisioning technician flow). */
  readonly selfDeploying: boolean;
}

/** Checks the credentials of the three authentication paths; undefined means "not recognised". */
export interface EnrollmentAuthenticator {
  /** OnPremise: a WS-Security UsernameToken (UPN and password) against the directory. */
  verifyUsernameToken(upn: string, password: string): Promise<EnrollmentIdentity | undefined>;
  /** A joined device's token (JWT) in a BinarySecurityToken, as Entra-joined and Autopilot devices send it. */
  verifyDeviceToken(jwt: string): Promise<EnrollmentIdentity | undefined>;
  /** Federated: the token the service's authentication page gave the device. */
  verifyFederatedToken(token: string): Promise<EnrollmentIdentity | undefined>;
  /** Certificate: the DER certificate the client presented in the TLS handshake (absent: the policy is not served). */
  verifyClientCertificate?(certificate: Uint8Array): Promise<EnrollmentIdentity | undefined>;
}
