import { randomBytes } from "node:crypto";
import fs from "node:fs";
import { open, readFile, rename, stat, unlink } from "node:fs/promises";
import path from "node:path";

/** Options of {@link writeFileAtomic} and {@link writeFileAtomicSync}. */
export interface WriteFileAtomicOptions {
  /** Permission bits of the file; default: those of the file being replaced, else 0o666 minus the umask. */
  readonly mode?: number;
}

/** Errors a platform may raise when a directory is opened or fsynced (Windows cannot fsync a directory). */
const DIRECTORY_FSYNC_UNSUPPORTED = new Set(["EISDIR", "EPERM", "EINVAL", "EACCES"]);

function tempPathFor(file: string): string {
  const name = `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  return path.join(path.dirname(file), name);
}

function errorCode(error: unknown): string | undefined {
  if (typeof error === "object" && error !== null && "code" in error && typeof error.code === "string") {
    return error.code;
  }
  return undefined;
}

async function existingMode(file: string): Promise<number | undefined> {
  try {
    return (await stat(file)).mode & 0o7777;
  } catch (error) {
    if (errorCode(error) === "ENOENT") return undefined;
    throw error;
  }
}

function existingModeSync(file: string): number | undefined {
  try {
    return fs.statSync(file).mode & 0o7777;
  } catch (error) {
    if (errorCode(error) === "ENOENT") return undefined;
    throw error;
  }
}

/**
 * Makes the entries of `dir` (files created, renamed or removed in it) durable. A no-op where the
 * platform cannot fsync a directory.
 */
export async function fsyncDirectory(dir: string): Promise<void> {
  let handle: fs.promises.FileHandle | undefined;
  try {
    handle = await open(dir, "r");
    await handle.sync();
  } catch (error) {
    if (!DIRECTORY_FSYNC_UNSUPPORTED.has(errorCode(error) ?? "")) throw error;
  } finally {
    await handle?.close();
  }
}

function fsyncDirectorySync(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, "r");
    fs.fsyncSync(fd);
  } catch (error) {
    if (!DIRECTORY_FSYNC_UNSUPPORTED.has(errorCode(error) ?? "")) throw error;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/**
 * Replaces `file` so that readers, and a crash at any moment, see either the old or the new content in
 * full: the data goes to a temporary file in the same directory, is fsynced, renamed over `file`, and
 * the directory is fsynced so the rename itself survives a power loss.
 */
export async function writeFileAtomic(
  file: string,
  data: Uint8Array | string,
  opts: WriteFileAtomicOptions = {},
): Promise<void> {
  const mode = opts.mode ?? (await existingMode(file));
  const temp = tempPathFor(file);
  const handle = await open(temp, "wx", mode ?? 0o666);
  let renamed = false;
  try {
    try {
      // The umask narrows the mode given to open(); an explicit mode must hold exactly.
      if (mode !== undefined) await handle.chmod(mode);
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
    renamed = true;
  } finally {
    if (!renamed) await unlink(temp).catch(() => undefined);
  }
  await fsyncDirectory(path.dirname(file));
}

/**
 * Synchronous {@link writeFileAtomic}, for callers that must persist inside one synchronous step
 * (the TPM writes NV state within a command).
 */
export function writeFileAtomicSync(file: string, data: Uint8Array | string, opts: WriteFileAtomicOptions = {}): void {
  const mode = opts.mode ?? existingModeSync(file);
  const temp = tempPathFor(file);
  const fd = fs.openSync(temp, "wx", mode ?? 0o666);
  let renamed = false;
  try {
    try {
      if (mode !== undefined) fs.fchmodSync(fd, mode);
      fs.writeFileSync(fd, data);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temp, file);
    renamed = true;
  } finally {
    if (!renamed) {
      try {
        fs.unlinkSync(temp);
      } catch {
        // The temp file is already gone; the original error is the one to report.
      }
    }
  }
  fsyncDirectorySync(path.dirname(file));
}

/** Reads a whole file, or returns undefined when it does not exist (any other error is thrown). */
export async function readFileIfExists(file: string): Promise<Buffer | undefined> {
  try {
    return await readFile(file);
  } catch (error) {
    if (errorCode(error) === "ENOENT") return undefined;
    throw error;
  }
}
