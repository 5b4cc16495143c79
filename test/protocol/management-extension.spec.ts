import { expect } from "chai";
import { ProtocolError, parseExtensionAssignments, parseExtensionResults } from "../../protocol/index.js";

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    if (error instanceof ProtocolError) return error.code;
    throw error;
  }
  return undefined;
}

const app = { payloadId: "p1", name: "Player", context: "device", appId: "player", installCommand: "install.cmd", contentUrl: "https://127.0.0.1/deployment/v1/content/c", sha256: "a".repeat(64), size: 10 };
const script = { payloadId: "p2", name: "Hello", context: "user", script: "Write-Output 1", sha256: "b".repeat(64) };

describe("protocol/management-extension: the extension channel's documents", () => {
  it("reads assignments and results", () => {
    expect(parseExtensionAssignments({ v: 1, apps: [app], scripts: [script] })).to.deep.equal({ v: 1, apps: [app], scripts: [script] });
    const results = { v: 1, results: [{ payloadId: "p1", outcome: "reboot", exitCode: 3010 }, { payloadId: "p2", outcome: "failure", exitCode: -2146889721 }] };
    expect(parseExtensionResults(results)).to.deep.equal(results);
  });

  it("refuses malformed documents with MALFORMED_REQUEST", () => {
    const badAssignments = [
      { v: 2, apps: [], scripts: [] },
      { v: 1, apps: [{ ...app, contentUrl: "http://127.0.0.1/c" }], scripts: [] },
      { v: 1, apps: [{ ...app, sha256: "A".repeat(64) }], scripts: [] },
      { v: 1, apps: [], scripts: [{ ...script, context: "system" }] },
      { v: 1, apps: Array.from({ length: 201 }, () => app), scripts: [] },
    ];
    for (const document of badAssignments) expect(codeOf(() => parseExtensionAssignments(document))).to.equal("MALFORMED_REQUEST");
    const badResults = [
      { v: 1, results: [{ payloadId: "p1", outcome: "maybe", exitCode: 0 }] },
      { v: 1, results: [{ payloadId: "p1", outcome: "success", exitCode: 1.5 }] },
      { v: 1, results: [{ payloadId: "", outcome: "success", exitCode: 0 }] },
      { results: [] },
    ];
    for (const document of badResults) expect(codeOf(() => parseExtensionResults(document))).to.equal("MALFORMED_REQUEST");
  });
});
