// The one place that prepares @peculiar/x509: its dependency injection needs reflect-metadata loaded
// first, and it signs and verifies with the platform WebCrypto (real crypto, no polyfill).
import "reflect-metadata";
import * as x509 from "@peculiar/x509";

x509.cryptoProvider.set(globalThis.crypto);

export { x509 };
