import { issueEkCertificate } from "./ek-certificate.js";
import { readEkPublicKey } from "./ek-public-key.js";
import { PkiError } from "./errors.js";
import type { KeyKind } from "./signing-key.js";
import { loadVendorPki } from "./vendor-pki.js";

/** An EK certificate asked of a simulated vendor for a key made elsewhere (`apsim pki issue-ek-cert`). */
export interface EkCertificateOrder {
  readonly home: string;
  /** Vendor code, case-insensitive. */
  readonly vendor: string;
  /** The EK public key file's bytes: PEM, DER SPKI, TPM2B_PUBLIC or TPMT_PUBLIC. */
  readonly ekPublic: Uint8Array;
  /** The EK's kind; default the key's own. */
  readonly kind?: KeyKind;
  /** tcg-at-tpmModel; default the vendor's typical TPM. */
  readonly model?: string;
  /** Firmware version MAJOR.MINOR (tcg-at-tpmVersion = MAJOR << 16 | MINOR); default the vendor's. */
  readonly firmware?: { readonly major: number; readonly minor: number };
  readonly notBefore: Date;
}

/** The certificate made for an {@link EkCertificateOrder}, and what it states. */
export interface IssuedEkCertificate {
  readonly der: Uint8Array<ArrayBuffer>;
  readonly vendor: string;
  readonly kind: KeyKind;
  readonly model: string;
  readonly version: number;
}

/** TPM library specification level and revision stated in certificates made on request (1.38). */
const ORDER_SPECIFICATION = { family: "2.0", level: 0, revision: 138 } as const;

/**
 * Issues an EK certificate from the vendor's PKI (created on first use under `home`) for an EK public key
 * given as file bytes, with the vendor's default model, firmware and quirks unless the order says otherwise.
 * @throws PkiError UNKNOWN_VENDOR, EK_PUBLIC_UNREADABLE, or EK_REQUEST_INVALID (e.g. `kind` not the key's).
 */
export async function issueEkCertificateForOrder(order: EkCertificateOrder): Promise<IssuedEkCertificate> {
  const ekPublicKey = readEkPublicKey(order.ekPublic);
  const keyKind: KeyKind | undefined =
    ekPublicKey.asymmetricKeyType === "rsa" ? "rsa" : ekPublicKey.asymmetricKeyType === "ec" ? "ecc" : undefined;
  if (keyKind === undefined) throw new PkiError("EK_PUBLIC_UNREADABLE", "the EK is neither an RSA nor an EC key");
  const pki = await loadVendorPki(order.home, order.vendor);
  const kind = order.kind ?? keyKind;
  const model = order.model ?? pki.identity.defaultModel;
  const firmware = order.firmware ?? pki.identity.defaultFirmware;
  if (![firmware.major, firmware.minor].every((part) => Number.isInteger(part) && part >= 0 && part <= 0xffff)) {
    throw new PkiError("EK_REQUEST_INVALID", "firmware MAJOR and MINOR must be 0..65535");
  }
  const version = ((firmware.major << 16) | firmware.minor) >>> 0;
  const der = await issueEkCertificate(pki, {
    ekPublicKey,
    kind,
    model,
    version,
    specification: ORDER_SPECIFICATION,
    notBefore: order.notBefore,
  });
  return { der, vendor: pki.identity.code, kind, model, version };
}
