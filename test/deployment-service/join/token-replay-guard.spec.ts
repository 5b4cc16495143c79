import { expect } from "chai";
import { MemoryTokenReplayGuard } from "../../../deployment-service/index.js";

describe("deployment-service/join/token-replay-guard", () => {
  it("accepts a token id once until the token expires", async () => {
    const guard = new MemoryTokenReplayGuard();
    expect(await guard.consume("a", 2000, 1000)).to.equal(true);
    expect(await guard.consume("a", 2000, 1500)).to.equal(false);
    expect(await guard.consume("b", 2000, 1500)).to.equal(true);
    // once expired the token is refused for its expiry anyway, so its id may be forgotten
    expect(await guard.consume("a", 4000, 2000)).to.equal(true);
  });
});
