/**
 * Where a TPM is, as `--tpm` spells it: an emulator state directory, `swtpm://host:port` (raw stream +
 * control channel), `mssim://host:port` (TCG simulator command + platform ports) or a kernel device
 * (`/dev/tpmrm0`).
 */

/** A parsed TPM location. */
export type TpmLocation =
  | { readonly kind: "state"; readonly dir: string }
  | { readonly kind: "swtpm"; readonly host: string; readonly port: number }
  | { readonly kind: "mssim"; readonly host: string; readonly port: number }
  | { readonly kind: "device"; readonly path: string };

/** A location that does not parse; `code` is stable. */
export class TpmLocationError extends Error {
  readonly code = "TPM_LOCATION_INVALID";
  constructor(location: string, detail: string) {
    super(`bad TPM location '${location}': ${detail} (expected a state directory, swtpm://host:port, mssim://host:port or /dev/tpmrm0)`);
    this.name = "TpmLocationError";
  }
}

/** The default port of both socket protocols (swtpm's and the TCTIs' default). */
export const DEFAULT_TPM_PORT = 2321;

/** Parses a `--tpm` value. */
export function parseTpmLocation(location: string): TpmLocation {
  const scheme = /^([a-z]+):\/\//i.exec(location)?.[1]?.toLowerCase();
  if (scheme === undefined) {
    if (location.trim() === "") throw new TpmLocationError(location, "empty");
    if (location.startsWith("/dev/")) return { kind: "device", path: location };
    return { kind: "state", dir: location };
  }
  if (scheme !== "swtpm" && scheme !== "mssim") throw new TpmLocationError(location, `unknown scheme ${scheme}`);
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    throw new TpmLocationError(location, "not a URL");
  }
  if ((url.pathname !== "" && url.pathname !== "/") || url.search || url.hash || url.username) {
    throw new TpmLocationError(location, "only host and port are allowed");
  }
  const port = url.port === "" ? DEFAULT_TPM_PORT : Number(url.port);
  // the control/platform port is port + 1
  if (!Number.isInteger(port) || port < 1 || port > 65534) throw new TpmLocationError(location, "port must be 1..65534");
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1") || "127.0.0.1";
  return { kind: scheme, host, port };
}
