/**
 * The non-DER encodings real EK certificates carry, declared as asn1-schema classes that leave out the
 * DEFAULT of the standard declarations (X.690 §11.5 says DER omits a value equal to its DEFAULT; these
 * encode it). Used by the EK certificate builder when a quirk asks for them.
 */
import { AsnConvert, AsnProp, AsnPropTypes, OctetString } from "@peculiar/asn1-schema";
import {
  Extension,
  id_ce_authorityKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_subjectDirectoryAttributes,
} from "@peculiar/asn1-x509";
import type { EkCertificateQuirks } from "./vendors.js";

/** RFC 5280 Extension with `critical` always encoded, even when FALSE. */
export class ExplicitCriticalExtension {
  extnID = "";
  critical = false;
  extnValue = new OctetString();

  constructor(params: Partial<ExplicitCriticalExtension> = {}) {
    Object.assign(this, params);
  }
}
// asn1-schema's decorators are legacy (experimentalDecorators); applied as calls they need no compiler flag.
AsnProp({ type: AsnPropTypes.ObjectIdentifier })(ExplicitCriticalExtension.prototype, "extnID");
AsnProp({ type: AsnPropTypes.Boolean })(ExplicitCriticalExtension.prototype, "critical");
AsnProp({ type: OctetString })(ExplicitCriticalExtension.prototype, "extnValue");

/** RFC 5280 §4.2.1.9 BasicConstraints with `cA` always encoded, even when FALSE. */
export class ExplicitBasicConstraints {
  cA = false;
  pathLenConstraint?: number;

  constructor(params: Partial<ExplicitBasicConstraints> = {}) {
    Object.assign(this, params);
  }
}
AsnProp({ type: AsnPropTypes.Boolean })(ExplicitBasicConstraints.prototype, "cA");
AsnProp({ type: AsnPropTypes.Integer, optional: true })(ExplicitBasicConstraints.prototype, "pathLenConstraint");

/**
 * Applies the extension quirks to an EK certificate's extensions (in order): Intel PTT's explicit FALSE in
 * basicConstraints (`30 03 01 01 00`) and in subjectDirectoryAttributes' critical flag (`01 01 00`), and a
 * missing authorityKeyIdentifier. The SAN layout quirk is applied where the SAN is built.
 */
export function applyEkExtensionQuirks(
  extensions: readonly Extension[],
  quirks: EkCertificateQuirks,
): (Extension | ExplicitCriticalExtension)[] {
  const result: (Extension | ExplicitCriticalExtension)[] = [];
  for (const extension of extensions) {
    if (quirks.omitAuthorityKeyId === true && extension.extnID === id_ce_authorityKeyIdentifier) continue;
    if (quirks.explicitFalse === true && extension.extnID === id_ce_basicConstraints) {
      const value = AsnConvert.serialize(new ExplicitBasicConstraints({ cA: false }));
      result.push(new Extension({ extnID: extension.extnID, critical: extension.critical, extnValue: new OctetString(value) }));
    } else if (quirks.explicitFalse === true && extension.extnID === id_ce_subjectDirectoryAttributes && !extension.critical) {
      result.push(new ExplicitCriticalExtension({ extnID: extension.extnID, critical: false, extnValue: extension.extnValue }));
    } else {
      result.push(extension);
    }
  }
  return result;
}
