export * from "./enrollment/index.js";
export { directoryAuthenticator, type DeviceTokenCheck } from "./directory-authenticator.js";
export * from "./management/index.js";
export * from "./esp/index.js";
export * from "./assignments/index.js";
