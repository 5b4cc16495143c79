import { chmodSync, mkdirSync } from "node:fs";
import { chmod, mkdir } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { writeFileAtomic, writeFileAtomicSync } from "./atomic-file.js";

/** Permission bits of a directory that holds private keys or secrets. */
export const PRIVATE_DIR_MODE = 0o700;
/** Permission bits of a file that holds a private key or a secret. */
export const SECRET_FILE_MODE = 0o600;

/**
 * The apsim home directory (PKI, databases, device states) as an absolute path: `--home`, else
 * env `APSIM_HOME`, else `~/.apsim`. Empty values count as absent.
 */
export function resolveHome(opts: { home?: string | undefined }): string {
  const chosen = opts.home || process.env["APSIM_HOME"] || path.join(os.homedir(), ".apsim");
  return path.resolve(chosen);
}

/**
 * Creates `dir` (and missing parents) with mode 0700. A directory that already exists keeps its
 * mode: it may be the user's own choice, such as a shared `--home`.
 */
export async function ensurePrivateDir(dir: string): Promise<void> {
  const created = await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  if (created !== undefined) await chmod(dir, PRIVATE_DIR_MODE);
}

/** Synchronous {@link ensurePrivateDir}. */
export function ensurePrivateDirSync(dir: string): void {
  const created = mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  if (created !== undefined) chmodSync(dir, PRIVATE_DIR_MODE);
}

/** Writes a file holding a secret atomically, readable and writable by the owner only (0600). */
export async function writeSecretFile(file: string, data: Uint8Array | string): Promise<void> {
  await writeFileAtomic(file, data, { mode: SECRET_FILE_MODE });
}

/** Synchronous {@link writeSecretFile}. */
export function writeSecretFileSync(file: string, data: Uint8Array | string): void {
  writeFileAtomicSync(file, data, { mode: SECRET_FILE_MODE });
}
