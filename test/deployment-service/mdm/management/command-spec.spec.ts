/** Queued command documents: what the admin API accepts and the SyncML each becomes. */
import { expect } from "chai";
import { COMMAND_SPEC_LIMITS, parseCommandSpec } from "../../../../deployment-service/mdm/index.js";
import { buildCommand } from "../../../../deployment-service/mdm/management/command-spec.js";
import { CmdIdSequence, ProtocolError } from "../../../../protocol/index.js";

const CAMERA = "./Device/Vendor/MSFT/Policy/Config/Camera/AllowCamera";

function codeOf(document: unknown): string | undefined {
  try {
    parseCommandSpec(document);
    return undefined;
  } catch (error) {
    expect(error).to.be.instanceOf(ProtocolError);
    return (error as ProtocolError).code;
  }
}

describe("deployment-service/mdm/management/command-spec: queued commands", () => {
  it("reads an item command and an Atomic, keeping format, type and data", () => {
    expect(parseCommandSpec({ kind: "Replace", items: [{ target: CAMERA, format: "int", type: "text/plain", data: "0" }] })).to.deep.equal({
      kind: "Replace",
      items: [{ target: CAMERA, format: "int", type: "text/plain", data: "0" }],
    });
    const atomic = parseCommandSpec({ kind: "Atomic", commands: [{ kind: "Add", items: [{ target: CAMERA, data: "1" }] }, { kind: "Delete", items: [{ target: CAMERA }] }] });
    expect(atomic.kind).to.equal("Atomic");
  });

  it("refuses unknown kinds, empty or oversized item lists, relative targets, unknown formats and nested Atomic", () => {
    expect(codeOf(null)).to.equal("MDM_COMMAND_INVALID");
    expect(codeOf({ kind: "Copy", items: [{ target: CAMERA }] })).to.equal("MDM_COMMAND_INVALID");
    expect(codeOf({ kind: "Get", items: [] })).to.equal("MDM_COMMAND_INVALID");
    expect(codeOf({ kind: "Get", items: Array(COMMAND_SPEC_LIMITS.maxItems + 1).fill({ target: CAMERA }) })).to.equal("MDM_COMMAND_INVALID");
    expect(codeOf({ kind: "Get", items: [{ target: "Vendor/MSFT/Policy" }] })).to.equal("MDM_COMMAND_INVALID");
    expect(codeOf({ kind: "Replace", items: [{ target: CAMERA, format: "float", data: "1" }] })).to.equal("MDM_COMMAND_INVALID");
    expect(codeOf({ kind: "Replace", items: [{ target: CAMERA, data: 1 }] })).to.equal("MDM_COMMAND_INVALID");
    expect(codeOf({ kind: "Atomic", commands: [{ kind: "Atomic", commands: [] }] })).to.equal("MDM_COMMAND_INVALID");
    expect(codeOf({ kind: "Atomic", commands: [] })).to.equal("MDM_COMMAND_INVALID");
  });

  it("builds SyncML with the container's CmdID first, then its members', each mapped back to its part", () => {
    const ids = new CmdIdSequence(5);
    const built = buildCommand(
      parseCommandSpec({ kind: "Atomic", commands: [{ kind: "Replace", items: [{ target: CAMERA, format: "int", data: "0" }] }, { kind: "Delete", items: [{ target: CAMERA }] }] }),
      ids,
    );
    expect(built.parts).to.deep.equal([
      { cmdId: "5", member: null },
      { cmdId: "6", member: 0 },
      { cmdId: "7", member: 1 },
    ]);
    expect(built.command).to.deep.equal({
      kind: "Atomic",
      cmdId: "5",
      commands: [
        { kind: "Replace", cmdId: "6", items: [{ target: CAMERA, meta: { format: "int" }, data: "0" }] },
        { kind: "Delete", cmdId: "7", items: [{ target: CAMERA }] },
      ],
    });
    expect(ids.nextCmdId()).to.equal("8");
  });
});
