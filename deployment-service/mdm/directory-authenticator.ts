/**
 * The enrollment endpoints' credential checks against this service's directory: OnPremise users by password, joined
 * devices by the device token the join issued, Federated users by the user token the authentication page gave them,
 * and, under the Certificate policy, devices by the identity certificate the join issued them.
 */
import type { Directory } from "../directory/directory.js";
import type { EnrollmentAuthenticator, EnrollmentIdentity } from "./enrollment/authenticator.js";

/** Checks a device token; the directory id of the joined device and whether it joined without a user. */
export type DeviceTokenCheck = (jwt: string) => Promise<{ readonly deviceId: string; readonly userPrincipalName?: string | undefined } | undefined>;

/** Checks a user token of audience `mdm`; the user principal name it was issued to. */
export type FederatedTokenCheck = (token: string) => Promise<string | undefined>;

/** Checks a TLS client certificate (DER); the directory id of the device it identifies. */
export type ClientCertificateCheck = (certificate: Uint8Array) => Promise<string | undefined>;

/**
 * An authenticator over `directory`; device tokens go to `checkDeviceToken`, Federated tokens to
 * `checkFederatedToken`, when given (otherwise they are not recognised).
 */
export function directoryAuthenticator(
  directory: Directory,
  checkDeviceToken?: DeviceTokenCheck,
  checkFederatedToken?: FederatedTokenCheck,
  checkClientCertificate?: ClientCertificateCheck,
): EnrollmentAuthenticator {
  return {
    ...(checkClientCertificate === undefined
      ? {}
      : {
          async verifyClientCertificate(certificate: Uint8Array): Promise<EnrollmentIdentity | undefined> {
            const deviceId = await checkClientCertificate(certificate);
            return deviceId === undefined ? undefined : { deviceId, selfDeploying: false };
          },
        }),
    async verifyUsernameToken(upn: string, password: string): Promise<EnrollmentIdentity | undefined> {
      const user = await directory.authenticateUser(upn, password);
      return user === undefined ? undefined : { userPrincipalName: user.upn, selfDeploying: false };
    },
    async verifyDeviceToken(jwt: string): Promise<EnrollmentIdentity | undefined> {
      const device = checkDeviceToken === undefined ? undefined : await checkDeviceToken(jwt);
      if (device === undefined) return undefined;
      return { deviceId: device.deviceId, userPrincipalName: device.userPrincipalName, selfDeploying: device.userPrincipalName === undefined };
    },
    async verifyFederatedToken(token: string): Promise<EnrollmentIdentity | undefined> {
      const upn = checkFederatedToken === undefined ? undefined : await checkFederatedToken(token);
      return upn === undefined ? undefined : { userPrincipalName: upn, selfDeploying: false };
    },
  };
}
