import { createHash } from "node:crypto";
import { VENDORS, type VendorCode } from "../../certs/index.js";
import { seededRandom } from "../../lib/index.js";
import { combineVendorFaults, type VendorFault, type VendorFaultSet } from "./faults.js";

/** Seed of the `error:RATE` draws when none is given: the same run, the same failing requests. */
export const DEFAULT_FAULT_SEED = 1;

function vendorSeed(seed: number, vendor: VendorCode): number {
  return createHash("sha256").update(`${seed}/${vendor}`).digest().readUInt32BE(0);
}

/** What a vendor request meets, decided once per request. */
export interface FaultDecision {
  readonly slowMs: number;
  readonly timeout: boolean;
  readonly outage: boolean;
  /** This request is one of the `error:RATE` share. */
  readonly error: boolean;
}

/**
 * The faults of every vendor at run time: set at start (`--vendor-fault`) and changed by the admin API.
 * Each vendor draws `error:RATE` outcomes from its own RNG, restarted from the seed whenever its faults are set,
 * so a given fault set fails the same requests in every run.
 */
export class VendorFaultController {
  readonly #seed: number;
  readonly #faults = new Map<VendorCode, readonly VendorFault[]>();
  readonly #random = new Map<VendorCode, () => number>();
  readonly #listeners = new Set<(vendor: VendorCode) => void>();

  constructor(initial: VendorFaultSet = {}, seed = DEFAULT_FAULT_SEED) {
    this.#seed = seed;
    for (const vendor of VENDORS) {
      const faults = initial[vendor.code];
      if (faults !== undefined && faults.length > 0) this.set(vendor.code, faults);
    }
  }

  /** The faults of `vendor` in effect (empty when none). */
  faultsOf(vendor: VendorCode): readonly VendorFault[] {
    return this.#faults.get(vendor) ?? [];
  }

  /** Every vendor's faults in effect. */
  all(): VendorFaultSet {
    return Object.fromEntries(this.#faults);
  }

  /** Replaces the faults of `vendor` (combined: a later fault of a kind wins, revoked serials add up). */
  set(vendor: VendorCode, faults: readonly VendorFault[]): void {
    const combined = combineVendorFaults(faults);
    if (combined.length === 0) this.#faults.delete(vendor);
    else this.#faults.set(vendor, combined);
    this.#random.set(vendor, seededRandom(vendorSeed(this.#seed, vendor)));
    for (const listener of this.#listeners) listener(vendor);
  }

  /** Switches every fault of `vendor` off. */
  clear(vendor: VendorCode): void {
    this.set(vendor, []);
  }

  /** Calls `listener` after the faults of a vendor change (caches of what the faults shape drop their copies). */
  onChange(listener: (vendor: VendorCode) => void): void {
    this.#listeners.add(listener);
  }

  /** The serials `revoked:SERIAL` faults add to `vendor`'s CRLs. */
  revokedSerials(vendor: VendorCode): readonly string[] {
    return this.faultsOf(vendor).flatMap((fault) => (fault.kind === "revoked" ? [fault.serial] : []));
  }

  /** Whether `vendor` serves expired copies of its issuing CA certificates. */
  servesExpiredCas(vendor: VendorCode): boolean {
    return this.faultsOf(vendor).some((fault) => fault.kind === "expired-ca");
  }

  /** Decides what one request to `vendor` meets (draws from the vendor's RNG when `error:RATE` is on). */
  decide(vendor: VendorCode): FaultDecision {
    let slowMs = 0;
    let timeout = false;
    let outage = false;
    let error = false;
    for (const fault of this.faultsOf(vendor)) {
      if (fault.kind === "slow") slowMs = fault.ms;
      else if (fault.kind === "timeout") timeout = true;
      else if (fault.kind === "outage") outage = true;
      else if (fault.kind === "error") error = this.#draw(vendor) < fault.rate;
    }
    return { slowMs, timeout, outage, error };
  }

  #draw(vendor: VendorCode): number {
    let random = this.#random.get(vendor);
    if (random === undefined) {
      random = seededRandom(vendorSeed(this.#seed, vendor));
      this.#random.set(vendor, random);
    }
    return random();
  }
}
