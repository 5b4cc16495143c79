/**
 * The enrollment endpoints' credential checks against this service's directory: OnPremise users by password, joined
 * devices by the device token the join issued. Federated tokens need the authentication page, which this service
 * does not serve yet: they are not recognised.
 */
import type { Directory } from "../directory/directory.js";
import type { EnrollmentAuthenticator, EnrollmentIdentity } from "./enrollment/authenticator.js";

/** Checks a device token; the directory id of the joined device and whether it joined without a user. */
export type DeviceTokenCheck = (jwt: string) => Promise<{ readonly deviceId: string; readonly userPrincipalName?: string | undefined } | undefined>;

/** An authenticator over `directory`; device tokens go to `checkDeviceToken` when given. */
export function directoryAuthenticator(directory: Directory, checkDeviceToken?: DeviceTokenCheck): EnrollmentAuthenticator {
  return {
    async verifyUsernameToken(upn: string, password: string): Promise<EnrollmentIdentity | undefined> {
      const user = await directory.authenticateUser(upn, password);
      return user === undefined ? undefined : { userPrincipalName: user.upn, selfDeploying: false };
    },
    async verifyDeviceToken(jwt: string): Promise<EnrollmentIdentity | undefined> {
      const device = checkDeviceToken === undefined ? undefined : await checkDeviceToken(jwt);
      if (device === undefined) return undefined;
      return { deviceId: device.deviceId, userPrincipalName: device.userPrincipalName, selfDeploying: device.userPrincipalName === undefined };
    },
    verifyFederatedToken: () => Promise.resolve(undefined),
  };
}
