import { expect } from "chai";
import { readFile } from "node:fs/promises";
import { ProtocolError } from "../../../protocol/index.js";

const FIXTURES = new URL("../../fixtures/windows-10-19043/", import.meta.url);

/** A captured Windows 10 19043 message, as sent. */
export function fixture(name: string): Promise<string> {
  return readFile(new URL(name, FIXTURES), "utf8");
}

/** The registry code `run` throws with (any other kind of throw fails the test). */
export function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).to.be.instanceOf(ProtocolError);
    return (error as ProtocolError).code;
  }
  expect.fail("expected a ProtocolError");
}
