import { readFileSync } from "node:fs";

/** One KDFa or KDFe known answer from kdf.json; every string is hex. */
export interface KdfVector {
  note: string;
  hash: "sha1" | "sha256";
  /** KDFa: the HMAC key; KDFe: the shared secret Z. */
  key: string;
  /** Without the terminating 00 octet, which the KDF appends itself. */
  label: string;
  /** KDFa: contextU; KDFe: partyUInfo. */
  contextU: string;
  /** KDFa: contextV; KDFe: partyVInfo. */
  contextV: string;
  bits: number;
  output: string;
}

/** The contents of kdf.json. */
export interface KdfVectors {
  kdfa: KdfVector[];
  kdfe: KdfVector[];
}

function vectorUrl(name: string): URL {
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(name)) {
    throw new Error(`bad vector name: ${JSON.stringify(name)}`);
  }
  return new URL(`./${name}`, import.meta.url);
}

/** The bytes of test/vectors/<name>, e.g. `vector("ek_rsa.pub")`. */
export function vector(name: string): Buffer {
  return readFileSync(vectorUrl(name));
}

/** The UTF-8 text of test/vectors/<name>, e.g. `vectorText("quote_rsa.msg.txt")`. */
export function vectorText(name: string): string {
  return readFileSync(vectorUrl(name), "utf8");
}

/** The KDFa/KDFe known answers of kdf.json (made by kdf-vectors.py). */
export function kdfVectors(): KdfVectors {
  return JSON.parse(vectorText("kdf.json")) as KdfVectors;
}
