/**
 * The TPM factory of a fleet: manufactured TPM states kept under the home directory, keyed by what makes a
 * TPM (vendor, EK kinds, faults, seed), and reused like parts made once at the factory. A rerun of the same
 * fleet manufactures nothing and so pays no key generation.
 */
import { createHash } from "node:crypto";
import path from "node:path";
import { ensurePrivateDir, readFileIfExists, writeFileAtomic } from "../lib/index.js";
import { TpmDevice, windowsAkTemplate } from "../agent/index.js";
import { TPM_RH } from "../tpm2/index.js";
import { TpmEmulator, TpmStateFileError, manufactureTpm, parseTpmFault, type EkKind } from "../tpm-emulator/index.js";

/** Bumped when manufacturing changes what a TPM state holds, so old cache entries are not reused. */
const FACTORY_FORMAT = "v1";

/** What to manufacture. */
export interface TpmOrder {
  readonly vendor: string;
  /** 32-byte manufacturing seed, hex. */
  readonly seed: string;
  readonly faults: readonly string[];
  /** EK kinds to provision; the vendor's default when absent. */
  readonly eks?: readonly EkKind[];
  /**
   * The `unique` (hex) of the RSA AK the device will make: the factory derives that key once and the TPM's
   * state remembers its primes, so device runs pay no RSA key generation (the RSA key pool of a fleet).
   */
  readonly rsaAkUnique?: string;
}

/** Counters of one factory's work. */
export interface FactoryStats {
  manufactured: number;
  reused: number;
}

/** Manufactured TPM states, cached in `<home>/factory/`. */
export class TpmFactory {
  readonly stats: FactoryStats = { manufactured: 0, reused: 0 };
  readonly #dir: string;
  readonly #home: string;
  readonly #inFlight = new Map<string, Promise<Uint8Array>>();

  constructor(home: string) {
    this.#home = home;
    this.#dir = path.join(home, "factory", FACTORY_FORMAT);
  }

  /** Where the state of an order is cached. */
  cacheFile(order: TpmOrder): string {
    const key = createHash("sha256")
      .update(JSON.stringify([order.vendor, order.seed, [...order.faults].sort(), order.eks ?? "default", order.rsaAkUnique ?? ""]))
      .digest("hex")
      .slice(0, 40);
    return path.join(this.#dir, order.vendor, `${key}.tpm`);
  }

  /** The state bytes of the TPM an order describes: from the cache, else manufactured and cached. */
  async stateOf(order: TpmOrder): Promise<Uint8Array> {
    const file = this.cacheFile(order);
    const pending = this.#inFlight.get(file);
    if (pending !== undefined) return pending;
    const work = this.#load(file, order).finally(() => this.#inFlight.delete(file));
    this.#inFlight.set(file, work);
    return work;
  }

  /**
   * A fresh in-memory TPM for one device run; nothing it does reaches the cache. A damaged cache entry (e.g.
   * from an older format) is made again.
   */
  async open(order: TpmOrder): Promise<TpmEmulator> {
    try {
      return TpmEmulator.fromStateBytes(await this.stateOf(order));
    } catch (error) {
      if (!(error instanceof TpmStateFileError)) throw error;
      this.stats.reused--; // counted when read; it is made again instead
      return TpmEmulator.fromStateBytes(await this.#manufacture(this.cacheFile(order), order));
    }
  }

  async #load(file: string, order: TpmOrder): Promise<Uint8Array> {
    const cached = await readFileIfExists(file);
    if (cached !== undefined) {
      this.stats.reused++;
      return cached;
    }
    return this.#manufacture(file, order);
  }

  async #manufacture(file: string, order: TpmOrder): Promise<Uint8Array> {
    const tpm = await manufactureTpm({
      vendor: order.vendor,
      home: this.#home,
      seed: Buffer.from(order.seed, "hex"),
      faults: order.faults.map(parseTpmFault),
      ...(order.eks === undefined ? {} : { eks: order.eks }),
    });
    if (order.rsaAkUnique !== undefined && order.faults.length === 0) {
      const device = TpmDevice.fromEmulator(tpm);
      const ak = await device.createPrimary(TPM_RH.OWNER, windowsAkTemplate("rsa", Buffer.from(order.rsaAkUnique, "hex")));
      await device.flushQuietly(ak.handle);
    }
    const bytes = tpm.stateBytes();
    await ensurePrivateDir(path.dirname(file));
    await writeFileAtomic(file, bytes, { mode: 0o600 });
    this.stats.manufactured++;
    return bytes;
  }
}
