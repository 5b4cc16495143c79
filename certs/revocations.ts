/**
 * A vendor's revoked EK certificate serials, kept beside its PKI as one hex serial per line. Lines are appended
 * (O_APPEND, one write each), so concurrent writers and a crash leave whole lines; the vendor endpoints publish
 * them in the vendor's CRL.
 */
import { appendFileSync, readFileSync } from "node:fs";
import path from "node:path";
import { findVendor } from "./vendors.js";
import { PkiError } from "./errors.js";

function revocationFile(home: string, code: string): string {
  const vendor = findVendor(code);
  if (!vendor) throw new PkiError("UNKNOWN_VENDOR", `unknown vendor ${code}`);
  return path.join(home, "pki", "vendors", vendor.code, "revoked-serials.txt");
}

/** Adds a certificate serial (hex) to the vendor's revocation list. */
export function revokeSerial(home: string, code: string, serialHex: string): void {
  if (!/^[0-9a-fA-F]{1,40}$/.test(serialHex)) throw new PkiError("BAD_SERIAL", `not a certificate serial: ${serialHex}`);
  appendFileSync(revocationFile(home, code), `${serialHex.toLowerCase()}\n`, { mode: 0o600 });
}

/** The vendor's revoked serials (lower-case hex); empty when none were revoked. */
export function revokedSerials(home: string, code: string): Set<string> {
  try {
    return new Set(
      readFileSync(revocationFile(home, code), "utf8")
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => /^[0-9a-f]{1,40}$/.test(l)),
    );
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return new Set();
    throw e;
  }
}
