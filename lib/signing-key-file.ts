/**
 * A P-256 signing key kept in a PEM file under the home (0600 in a 0700 directory), made on first use. Every token
 * signer keeps its key this way.
 */
import { createPrivateKey, generateKeyPairSync, randomUUID, type KeyObject } from "node:crypto";
import { link, unlink } from "node:fs/promises";
import path from "node:path";
import { readFileIfExists } from "./atomic-file.js";
import { ensurePrivateDir, writeSecretFile } from "./home.js";

/**
 * The private key in `file`, made when the file does not exist; a temporary file hard-linked into place makes
 * exactly one key win when two processes start at once.
 */
export async function loadOrCreateSigningKey(file: string): Promise<KeyObject> {
  const existing = await readFileIfExists(file);
  if (existing !== undefined) return createPrivateKey(existing);
  await ensurePrivateDir(path.dirname(file));
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const staging = `${file}.${process.pid}.${randomUUID()}.tmp`;
  await writeSecretFile(staging, privateKey.export({ type: "pkcs8", format: "pem" }));
  try {
    await link(staging, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  } finally {
    await unlink(staging);
  }
  return createPrivateKey((await readFileIfExists(file))!);
}
