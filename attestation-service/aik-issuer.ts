/**
 * Issues AIK certificates with Microsoft's shape from the `<VENDOR>-KEYID-…` AIK issuing CA of the EK's issuer
 * (certs/aik-pki.ts), keeping each CA, its certificate issuer and its chain loaded once per process.
 */
import { randomBytes, type KeyObject } from "node:crypto";
import type { x509 } from "../certs/index.js";
import { createAikCertificateIssuer, loadAikIssuingCa, type AikCa, type AikCertificateIssuer, type TpmDeviceAttributes } from "../certs/index.js";
import { certificateFingerprint } from "./certificate-cache.js";

/** How long an AIK certificate is valid. */
export const AIK_CERTIFICATE_VALIDITY_MS = 365 * 24 * 60 * 60 * 1000;

/** An issued AIK certificate and the CA certificates above it. */
export interface IssuedAik {
  /** DER of the AIK certificate. */
  readonly der: Uint8Array;
  /** Hex serial number. */
  readonly serial: string;
  /** DER of `[issuing CA, TPM root]`. */
  readonly chain: readonly Uint8Array[];
}

/** Issues AIK certificates for one home. */
export interface AikIssuer {
  /** `akPublicKey`: the AK's key, or its DER SubjectPublicKeyInfo once a signature by it has been verified. */
  issue(request: { vendor: string; ekIssuer: x509.X509Certificate; akPublicKey: KeyObject | Uint8Array; tpm: TpmDeviceAttributes; now: number }): Promise<IssuedAik>;
}

/** An AIK issuing CA ready to issue. */
interface LoadedAikCa {
  readonly ca: AikCa;
  readonly issuer: AikCertificateIssuer;
  readonly chain: readonly Uint8Array[];
}

/** A positive 16-octet serial (RFC 5280 §4.1.2.2) as hex. */
function randomSerial(): string {
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x40;
  return serial.toString("hex");
}

async function loadCa(home: string, vendor: string, ekIssuer: x509.X509Certificate): Promise<LoadedAikCa> {
  const ca = await loadAikIssuingCa(home, vendor, ekIssuer);
  return { ca, issuer: await createAikCertificateIssuer(ca), chain: ca.chain.map((certificate) => new Uint8Array(certificate.rawData)) };
}

/** The AIK issuer of `home`; AIK CAs are created there on first use. */
export function createAikIssuer(home: string): AikIssuer {
  const cas = new Map<string, Promise<LoadedAikCa>>();
  const caFor = (vendor: string, ekIssuer: x509.X509Certificate): Promise<LoadedAikCa> => {
    const key = `${vendor}:${certificateFingerprint(ekIssuer)}`;
    let ca = cas.get(key);
    if (ca === undefined) {
      ca = loadCa(home, vendor, ekIssuer);
      ca.catch(() => cas.delete(key));
      cas.set(key, ca);
    }
    return ca;
  };
  return {
    async issue({ vendor, ekIssuer, akPublicKey, tpm, now }) {
      const { ca, issuer, chain } = await caFor(vendor, ekIssuer);
      const notAfter = Math.min(now + AIK_CERTIFICATE_VALIDITY_MS, ca.certificate.notAfter.getTime());
      const serial = randomSerial();
      const der = await issuer.issue({ akPublicKey, tpm, notBefore: new Date(now), notAfter: new Date(notAfter), serialNumber: serial });
      return { der, serial, chain };
    },
  };
}
