export * from "./enrollment/index.js";
export { directoryAuthenticator, type DeviceTokenCheck } from "./directory-authenticator.js";
export * from "./management/index.js";
