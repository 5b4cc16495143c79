import { expect } from "chai";
import { createFleetProgress } from "../../fleet/progress.js";

function fakeStream(): NodeJS.WriteStream & { lines: string[] } {
  const lines: string[] = [];
  return { isTTY: false, lines, write: (text: string) => lines.push(text.trimEnd()) > 0 } as unknown as NodeJS.WriteStream & { lines: string[] };
}

describe("fleet/progress", () => {
  it("prints plain lines at most once per interval off a terminal, rates counted from the first update", () => {
    let clock = 0;
    const stream = fakeStream();
    const progress = createFleetProgress(10, stream, { intervalMs: 1000, now: () => clock });
    clock = 5000; // factory and services took 5 s: not part of the rate
    progress.update(0, 0);
    clock += 500;
    progress.update(2, 0);
    clock += 600;
    progress.update(4, 1);
    clock += 100;
    progress.update(5, 1);
    progress.stop();
    expect(stream.lines).to.deep.equal(["devices 0/10 failed 0 0.0/s", "devices 4/10 failed 1 3.6/s", "devices 5/10 failed 1 4.2/s"]);
  });

  it("always prints the last state on completion", () => {
    let clock = 0;
    const stream = fakeStream();
    const progress = createFleetProgress(3, stream, { intervalMs: 60_000, now: () => clock });
    progress.update(0, 0);
    clock = 1000;
    progress.update(3, 0);
    progress.stop();
    expect(stream.lines).to.deep.equal(["devices 3/3 failed 0 3.0/s"]);
  });
});
