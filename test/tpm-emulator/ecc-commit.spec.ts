import { expect } from "chai";
import { TPM_ECC_CURVE, eccCurveInfo } from "../../tpm2/index.js";
import { CommitLedger } from "../../tpm-emulator/ecc-commit.js";

const P256 = eccCurveInfo(TPM_ECC_CURVE.NIST_P256);
const P384 = eccCurveInfo(TPM_ECC_CURVE.NIST_P384);
const NAME = Buffer.from("000b" + "11".repeat(32), "hex");
const OTHER_NAME = Buffer.from("000b" + "22".repeat(32), "hex");
const NO_NAME = Buffer.alloc(0);

describe("CommitLedger (gr.commitCounter, commitNonce, commitArray)", () => {
  it("gives the r of a commitment again when its counter is named, once per commitment", () => {
    const ledger = CommitLedger.fresh();
    const promised = ledger.r(P256, undefined, NAME)!;
    expect(ledger.commit()).to.equal(0);
    expect(ledger.r(P256, 0, NAME)).to.equal(promised);
    ledger.end(0);
    expect(ledger.r(P256, 0, NAME)).to.equal(undefined);
  });

  it("derives different r per counter, per key name and per TPM Reset, each in [1, n−1]", () => {
    const ledger = CommitLedger.fresh();
    const r0 = ledger.r(P256, undefined, NAME)!;
    expect(ledger.r(P256, undefined, OTHER_NAME)).to.not.equal(r0);
    expect(ledger.r(P256, undefined, NO_NAME)).to.not.equal(r0);
    expect(CommitLedger.fresh().r(P256, undefined, NAME)).to.not.equal(r0);
    ledger.commit();
    const r1 = ledger.r(P256, undefined, NAME)!;
    expect(r1).to.not.equal(r0);
    for (const r of [r0, r1]) expect(r > 0n && r < P256.order).to.equal(true);
    const r384 = ledger.r(P384, undefined, NAME)!;
    expect(r384 > 0n && r384 < P384.order && r384 > P256.order).to.equal(true);
  });

  it("refuses a counter that was never committed", () => {
    const ledger = CommitLedger.fresh();
    expect(ledger.r(P256, 0, NAME)).to.equal(undefined);
    ledger.commit();
    expect(ledger.r(P256, 1, NAME)).to.equal(undefined);
    expect(ledger.r(P256, 0x1000, NAME)).to.equal(undefined);
  });

  it("keeps a window of 128 commitments: a newer one with the same array bit takes over, the older counter is refused", () => {
    const ledger = CommitLedger.fresh();
    const promised = new Map<number, bigint>();
    for (let i = 0; i < 130; i++) {
      promised.set(i, ledger.r(P256, undefined, NAME)!);
      expect(ledger.commit()).to.equal(i);
    }
    expect(ledger.nextCounter).to.equal(130n);
    expect(ledger.r(P256, 129, NAME)).to.equal(promised.get(129));
    expect(ledger.r(P256, 1, NAME)).to.equal(undefined);
    expect(ledger.r(P256, 2, NAME)).to.equal(promised.get(2));
  });

  it("comes back whole from its record (Shutdown(STATE) → Startup)", () => {
    const ledger = CommitLedger.fresh();
    ledger.commit();
    ledger.commit();
    ledger.end(0);
    const restored = CommitLedger.restore(ledger.record());
    expect(restored.nextCounter).to.equal(2n);
    expect(restored.r(P256, 0, NAME)).to.equal(undefined);
    expect(restored.r(P256, 1, NAME)).to.equal(ledger.r(P256, 1, NAME));
  });
});
