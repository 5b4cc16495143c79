import { kdfa } from "../../tpm2/index.js";

/**
 * A deterministic random bit generator keyed by a primary seed, in the spirit of Part 1 §27 (primary objects are
 * a function of the hierarchy seed and the template): request j of n octets returns
 * KDFa(nameAlg, seed, label, context, [j]32, 8·n). The same seed, label and context give the same stream.
 */
export class SeededDrbg {
  private requests = 0;
  private readonly counter = Buffer.alloc(4);

  /**
   * @param label separates the uses of one seed and template (e.g. RSA primes vs. the seedValue).
   * @param context binds the stream to the object, normally the digest of the marshalled template.
   */
  constructor(
    private readonly nameAlg: number,
    private readonly seed: Uint8Array,
    private readonly label: string,
    private readonly context: Uint8Array,
  ) {}

  /** The next `length` octets of the stream. */
  next(length: number): Buffer {
    this.counter.writeUInt32BE(this.requests++);
    return kdfa(this.nameAlg, this.seed, this.label, this.context, this.counter, length * 8);
  }
}
