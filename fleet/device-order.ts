/** What the factory makes for a planned device: its vendor, seed, faults, EK kinds and pre-derived RSA AK. */
import { createHash } from "node:crypto";
import type { TpmOrder } from "./factory.js";
import type { DevicePlan } from "./scenario.js";

/**
 * The EK a device uses: the run's choice, except that a device given an RSA-key fault (`roca-ek`) attests with
 * its RSA EK, so the fault is what the service sees.
 */
export function ekKindOf(plan: DevicePlan, runChoice: "rsa" | "ecc"): "rsa" | "ecc" {
  return plan.faults.some((fault) => fault === "roca-ek") ? "rsa" : runChoice;
}

/** A device's fixed AK `unique` when the run makes RSA AKs (its factory derives that key ahead). */
export function rsaAkUniqueOf(plan: DevicePlan, ak: "rsa" | "ecc"): string | undefined {
  return ak === "rsa" ? createHash("sha256").update(`ak-unique:${plan.seed}`).digest().subarray(0, 20).toString("hex") : undefined;
}

/** The factory order of a planned device. */
export function orderOf(plan: DevicePlan, ek: "rsa" | "ecc", ak: "rsa" | "ecc"): TpmOrder {
  const rsaAkUnique = rsaAkUniqueOf(plan, ak);
  return {
    vendor: plan.vendor,
    seed: plan.seed,
    faults: plan.faults,
    eks: [ekKindOf(plan, ek)],
    ...(rsaAkUnique === undefined ? {} : { rsaAkUnique }),
  };
}
