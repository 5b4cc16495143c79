/**
 * RSA-2048 key pairs for the MDM client certificates of a fleet's devices, made ahead and kept under the home
 * (0600), so a run pays no RSA key generation (≈ 110 ms each): the Windows enrollment request needs an RSA key, and a
 * fleet of thousands cannot make one per device. Devices take pairs round-robin by index, so a pool of N pairs
 * serves any fleet; the enrollment service issues one certificate per enrollment whatever the key.
 */
import { createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from "node:crypto";
import path from "node:path";
import { promisify } from "node:util";
import { ensurePrivateDir, readFileIfExists, writeSecretFile } from "../lib/index.js";

const generateKeyPairAsync = promisify(generateKeyPair);

/** Pairs kept by default. */
export const DEFAULT_ENROLLMENT_KEY_POOL = 16;

/** A key pair as the enrollment client takes it. */
export interface EnrollmentKeyPair {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

/** The pool's folder under a home. */
export function enrollmentKeyDir(home: string): string {
  return path.join(home, "factory", "enrollment-keys");
}

/** Loads the pool, making the pairs it lacks (in parallel, off the event loop). */
export async function loadEnrollmentKeyPool(home: string, size: number = DEFAULT_ENROLLMENT_KEY_POOL): Promise<readonly EnrollmentKeyPair[]> {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`bad enrollment key pool size ${size}`);
  const dir = enrollmentKeyDir(home);
  await ensurePrivateDir(dir);
  return Promise.all(
    Array.from({ length: size }, async (_, index) => {
      const file = path.join(dir, `rsa-2048-${index}.pem`);
      const existing = await readFileIfExists(file);
      if (existing !== undefined) {
        try {
          const privateKey = createPrivateKey(existing);
          return { privateKey, publicKey: createPublicKey(privateKey) };
        } catch {
          // a damaged file is made again below
        }
      }
      const pair = await generateKeyPairAsync("rsa", { modulusLength: 2048 });
      await writeSecretFile(file, pair.privateKey.export({ type: "pkcs8", format: "pem" }));
      return pair;
    }),
  );
}

/** The pair of device `index`. */
export function enrollmentKeyOf(pool: readonly EnrollmentKeyPair[], index: number): EnrollmentKeyPair {
  return pool[index % pool.length]!;
}
