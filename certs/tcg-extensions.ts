import { AsnConvert, AsnProp, AsnPropTypes, AsnType, AsnTypeTypes } from "@peculiar/asn1-schema";
import {
  Attribute,
  AttributeTypeAndValue,
  AttributeValue,
  GeneralName,
  GeneralNames,
  Name,
  RelativeDistinguishedName,
  SubjectDirectoryAttributes,
  id_ce_subjectAltName,
  id_ce_subjectDirectoryAttributes,
} from "@peculiar/asn1-x509";
import { x509 } from "./x509.js";

/** Object identifiers of the TCG EK Credential Profile (TCG arc 2.23.133). */
export const TCG_OID = {
  tpmManufacturer: "2.23.133.2.1",
  tpmModel: "2.23.133.2.2",
  tpmVersion: "2.23.133.2.3",
  tpmSpecification: "2.23.133.2.16",
  ekCertificate: "2.23.133.8.1",
  aikCertificate: "2.23.133.8.3",
} as const;

/** STRMAX of the TCG ASN.1 module: the longest tpmModel and family strings. */
const STRMAX = 256;

/** The TPM identity carried in the subjectAltName directoryName of EK and AIK certificates. */
export interface TpmDeviceAttributes {
  /** TCG vendor ID, e.g. 0x49465800 for IFX. */
  readonly manufacturerId: number;
  readonly model: string;
  /** Firmware version as a 32-bit value, printed `id:XXXXXXXX`. */
  readonly version: number;
}

/** tcg-at-tpmSpecification: which TPM library specification the TPM implements. */
export interface TpmSpecification {
  readonly family: "2.0";
  readonly level: number;
  readonly revision: number;
}

/**
 * EK Credential Profile, TPMSpecification ::= SEQUENCE { family UTF8String (SIZE (1..STRMAX)),
 * level INTEGER, revision INTEGER }.
 */
export class TpmSpecificationAsn {
  family = "";
  level = 0;
  revision = 0;

  constructor(params: Partial<TpmSpecificationAsn> = {}) {
    Object.assign(this, params);
  }
}
// asn1-schema's decorators are legacy (experimentalDecorators); applied as calls they need no compiler flag.
AsnType({ type: AsnTypeTypes.Sequence })(TpmSpecificationAsn);
AsnProp({ type: AsnPropTypes.Utf8String })(TpmSpecificationAsn.prototype, "family");
AsnProp({ type: AsnPropTypes.Integer })(TpmSpecificationAsn.prototype, "level");
AsnProp({ type: AsnPropTypes.Integer })(TpmSpecificationAsn.prototype, "revision");

function isUint32(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= 0xffffffff;
}

/** The `id:XXXXXXXX` form (8 upper-case hex digits) of a TCG vendor ID or firmware version. */
export function formatTpmId(value: number): string {
  if (!isUint32(value)) throw new RangeError(`TPM id must be a uint32, got ${value}`);
  return `id:${value.toString(16).toUpperCase().padStart(8, "0")}`;
}

/** Reads an `id:XXXXXXXX` value (case-insensitive, leading zeros optional); undefined when malformed. */
export function parseTpmId(text: string): number | undefined {
  const match = /^id:([0-9a-f]{1,8})$/i.exec(text.trim());
  return match?.[1] === undefined ? undefined : Number.parseInt(match[1], 16);
}

/**
 * How the TPM attributes are grouped in the SAN directoryName: the profile's three single-attribute RDNs, or
 * one RDN holding all three (seen in real certificates; readers must accept both).
 */
export type TpmSanLayout = "rdn-per-attribute" | "single-rdn";

function tpmAttribute(type: string, value: string): AttributeTypeAndValue {
  return new AttributeTypeAndValue({ type, value: new AttributeValue({ utf8String: value }) });
}

/**
 * EK Credential Profile subjectAltName, critical: one directoryName holding tpmManufacturer, tpmModel and
 * tpmVersion, each a UTF8String; by default as three single-attribute RDNs (the profile's layout).
 */
export function createTpmSubjectAltName(
  attributes: TpmDeviceAttributes,
  layout: TpmSanLayout = "rdn-per-attribute",
): x509.Extension {
  const model = attributes.model;
  if (model.length === 0 || Buffer.byteLength(model, "utf8") > STRMAX) {
    throw new RangeError(`tpmModel must be 1..${STRMAX} bytes`);
  }
  const values = [
    tpmAttribute(TCG_OID.tpmManufacturer, formatTpmId(attributes.manufacturerId)),
    tpmAttribute(TCG_OID.tpmModel, model),
    tpmAttribute(TCG_OID.tpmVersion, formatTpmId(attributes.version)),
  ];
  const directoryName =
    layout === "single-rdn"
      ? new Name([new RelativeDistinguishedName(values)])
      : new Name(values.map((value) => new RelativeDistinguishedName([value])));
  const names = new GeneralNames([new GeneralName({ directoryName })]);
  return new x509.Extension(id_ce_subjectAltName, true, AsnConvert.serialize(names));
}

/**
 * Reads the TPM attributes from a subjectAltName extension value. Accepts both layouts met in the
 * wild: three single-attribute RDNs (the profile's) and one RDN holding all three attributes.
 * Returns undefined when the manufacturer, model or version is missing or malformed.
 */
export function parseTpmSubjectAltName(extensionValue: BufferSource): TpmDeviceAttributes | undefined {
  const found = new Map<string, string>();
  for (const name of AsnConvert.parse(extensionValue, GeneralNames)) {
    for (const rdn of name.directoryName ?? []) {
      for (const attribute of rdn) found.set(attribute.type, attribute.value.toString());
    }
  }
  const manufacturer = found.get(TCG_OID.tpmManufacturer);
  const model = found.get(TCG_OID.tpmModel);
  const version = found.get(TCG_OID.tpmVersion);
  if (manufacturer === undefined || model === undefined || version === undefined) return undefined;
  const manufacturerId = parseTpmId(manufacturer);
  const versionValue = parseTpmId(version);
  if (manufacturerId === undefined || versionValue === undefined) return undefined;
  return { manufacturerId, model, version: versionValue };
}

/** subjectDirectoryAttributes (non-critical) holding tcg-at-tpmSpecification. */
export function createTpmSpecificationExtension(specification: TpmSpecification): x509.Extension {
  if (!isUint32(specification.level) || !isUint32(specification.revision)) {
    throw new RangeError("tpmSpecification level and revision must be uint32");
  }
  const value = new TpmSpecificationAsn({ ...specification });
  const attribute = new Attribute({ type: TCG_OID.tpmSpecification, values: [AsnConvert.serialize(value)] });
  const attributes = new SubjectDirectoryAttributes([attribute]);
  return new x509.Extension(id_ce_subjectDirectoryAttributes, false, AsnConvert.serialize(attributes));
}

/** Reads tcg-at-tpmSpecification from a subjectDirectoryAttributes extension value, if present. */
export function parseTpmSpecificationExtension(extensionValue: BufferSource): TpmSpecification | undefined {
  for (const attribute of AsnConvert.parse(extensionValue, SubjectDirectoryAttributes)) {
    const raw = attribute.type === TCG_OID.tpmSpecification ? attribute.values[0] : undefined;
    if (raw === undefined) continue;
    const parsed = AsnConvert.parse(raw, TpmSpecificationAsn);
    if (parsed.family !== "2.0") return undefined;
    return { family: parsed.family, level: parsed.level, revision: parsed.revision };
  }
  return undefined;
}
