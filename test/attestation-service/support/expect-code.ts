import { expect } from "chai";
import { ProtocolError } from "../../../protocol/index.js";

/** Asserts that `run` throws (or rejects with) a ProtocolError of `code`. */
export async function expectCode(run: () => unknown, code: string): Promise<void> {
  let caught: unknown;
  try {
    await run();
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected ${code}`).to.be.instanceOf(ProtocolError);
  expect((caught as ProtocolError).code).to.equal(code);
}
