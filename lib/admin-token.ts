/**
 * The admin token of a home: the bearer secret that guards every service's admin endpoints (fault switches,
 * remote publication). One per home, in `<home>/admin-token` (mode 0600), so every `apsim` command of the same
 * home can read it.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { link, readFile, unlink } from "node:fs/promises";
import path from "node:path";
import { ensurePrivateDir, writeSecretFile } from "./home.js";

const TOKEN_FILE = "admin-token";
const TOKEN_BYTES = 32;
/** base64url of 32 bytes is 43 characters; shorter tokens (hand-written ones) must still be hard to guess. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{22,512}$/;

/** The admin token file holds something that is not a token; `code` is stable. */
export class AdminTokenError extends Error {
  readonly code = "ADMIN_TOKEN_INVALID";
  constructor(file: string) {
    super(`${file} does not hold an admin token (22 to 512 base64url characters)`);
    this.name = "AdminTokenError";
  }
}

function errorCode(error: unknown): string | undefined {
  return typeof error === "object" && error !== null && "code" in error ? String(error.code) : undefined;
}

async function readToken(file: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if (errorCode(error) === "ENOENT") return undefined;
    throw error;
  }
  const token = text.trim();
  if (!TOKEN_PATTERN.test(token)) throw new AdminTokenError(file);
  return token;
}

/** Path of the admin token file of `home`. */
export function adminTokenFile(home: string): string {
  return path.join(home, TOKEN_FILE);
}

/**
 * The home's admin token, created on first use: 32 random bytes, base64url, in `<home>/admin-token` (0600).
 * The file is written whole under a temporary name and hard-linked into place, which fails when the file
 * already exists: when processes race, the first link wins and every caller returns the winner's token.
 * @throws AdminTokenError when the file exists but holds no token.
 */
export async function loadOrCreateAdminToken(home: string): Promise<string> {
  const file = adminTokenFile(home);
  const existing = await readToken(file);
  if (existing !== undefined) return existing;
  await ensurePrivateDir(home);
  const candidate = randomBytes(TOKEN_BYTES).toString("base64url");
  const staging = path.join(home, `.${TOKEN_FILE}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  await writeSecretFile(staging, `${candidate}\n`);
  try {
    await link(staging, file);
  } catch (error) {
    if (errorCode(error) !== "EEXIST") throw error;
  } finally {
    await unlink(staging).catch(() => undefined);
  }
  const stored = await readToken(file);
  if (stored === undefined) throw new AdminTokenError(file);
  return stored;
}

/**
 * The home's admin token if one was created, without creating it (what clients of a server of the same home use).
 * @throws AdminTokenError when the file exists but holds no token.
 */
export async function readAdminToken(home: string): Promise<string | undefined> {
  return readToken(adminTokenFile(home));
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

/**
 * True when an `Authorization` header value is `Bearer <token>` (scheme case-insensitive, RFC 6750 §2.1).
 * The comparison takes the same time whatever the header holds: both sides are hashed to equal length first.
 */
export function bearerTokenMatches(header: string | undefined, token: string): boolean {
  if (header === undefined || token.length === 0) return false;
  const match = /^Bearer[ ]+([^\s]+)\s*$/i.exec(header);
  const presented = match?.[1] ?? "";
  const equal = timingSafeEqual(digest(presented), digest(token));
  return equal && match !== null;
}
