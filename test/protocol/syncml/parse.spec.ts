import { expect } from "chai";
import { SYNCML_LIMITS, buildSyncMl, parseSyncMl, type SyncMlMessage } from "../../../protocol/index.js";
import { codeOf, fixture } from "./support.js";

const DEVICE_ID = "1E08C6E95D8BB843B1278FF45BC60CC6";

/** A message with the given SyncBody content and the fixture's header. */
function message(body: string, root = '<SyncML xmlns="SYNCML:SYNCML1.2">', header?: string): string {
  const hdr =
    header ??
    "<SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1</SessionID><MsgID>1</MsgID>" +
      "<Target><LocURI>https://mdm.example/ManagementServer/MDM.svc</LocURI></Target><Source><LocURI>dev</LocURI></Source></SyncHdr>";
  return `${root}${hdr}<SyncBody>${body}</SyncBody></SyncML>`;
}

describe("protocol/syncml/parse", () => {
  it("reads the package 1 a real Windows 10 device sent into exactly what it says", async () => {
    const parsed = parseSyncMl(await fixture("syncml-session-start.xml"));
    expect(parsed).to.deep.equal({
      header: {
        verDTD: "1.2",
        verProto: "DM/1.2",
        sessionId: "1",
        msgId: "1",
        target: "https://pocmdmserver.com/ManagementServer/MDM.svc",
        source: DEVICE_ID,
      },
      commands: [
        { kind: "Alert", cmdId: "2", data: "1201", items: [] },
        { kind: "Alert", cmdId: "3", data: "1224", items: [{ meta: { type: "com.microsoft/MDM/LoginStatus" }, data: "user" }] },
        {
          kind: "Replace",
          cmdId: "4",
          items: [
            { source: "./DevInfo/DevId", data: DEVICE_ID },
            { source: "./DevInfo/Man", data: "VMware, Inc." },
            { source: "./DevInfo/Mod", data: "VMware7,1" },
            { source: "./DevInfo/DmV", data: "1.3" },
            { source: "./DevInfo/Lang", data: "en-US" },
          ],
        },
      ],
      final: true,
    } satisfies SyncMlMessage);
  });

  it("round-trips the captured package: build(parse(x)) parses to the same message", async () => {
    const parsed = parseSyncMl(await fixture("syncml-session-start.xml"));
    expect(parseSyncMl(buildSyncMl(parsed))).to.deep.equal(parsed);
  });

  it("round-trips every command kind, Meta, Atomic, escaped XML data and an empty Data", () => {
    const original: SyncMlMessage = {
      header: {
        verDTD: "1.2",
        verProto: "DM/1.2",
        sessionId: "7",
        msgId: "2",
        target: DEVICE_ID,
        source: "https://mdm.example/ManagementServer/MDM.svc",
        meta: { maxMsgSize: 65536 },
      },
      commands: [
        { kind: "Status", cmdId: "1", msgRef: "1", cmdRef: "0", cmd: "SyncHdr", targetRefs: ["https://x"], sourceRefs: [DEVICE_ID], items: [], data: 200 },
        { kind: "Get", cmdId: "2", items: [{ target: "./DevDetail/SwV" }] },
        {
          kind: "Atomic",
          cmdId: "3",
          commands: [
            { kind: "Add", cmdId: "4", items: [{ target: "./Device/Vendor/MSFT/Policy/Config/Camera/AllowCamera", meta: { format: "int", type: "text/plain" }, data: "0" }] },
            { kind: "Replace", cmdId: "5", meta: { format: "chr" }, items: [{ target: "./Vendor/MSFT/DMClient/Provider/P/EntDMID", data: "" }] },
          ],
        },
        { kind: "Exec", cmdId: "6", items: [{ target: "./Vendor/MSFT/X/DownloadInstall", meta: { format: "xml" }, data: '<MsiInstallJob id="{A}"><Product Version="1 & 2"/></MsiInstallJob>' }] },
        { kind: "Delete", cmdId: "7", items: [{ target: "./a" }, { target: "./b" }] },
        { kind: "Results", cmdId: "8", msgRef: "1", cmdRef: "2", targetRefs: [], sourceRefs: [], items: [{ source: "./DevDetail/SwV", meta: { format: "chr" }, data: "10.0" }] },
        { kind: "Alert", cmdId: "9", data: "1226", items: [{ meta: { type: "com.microsoft:mdm.unenrollment.userrequest", format: "int" }, data: "1" }] },
      ],
      final: false,
    };
    const xml = buildSyncMl(original);
    expect(xml).to.match(/^<SyncML xmlns="SYNCML:SYNCML1\.2"><SyncHdr><VerDTD>1\.2<\/VerDTD>/);
    expect(xml).to.contain('<Format xmlns="syncml:metinf">int</Format>');
    expect(xml).to.contain("&lt;MsiInstallJob");
    expect(xml).not.to.contain("<Final/>");
    expect(parseSyncMl(xml)).to.deep.equal(original);
    expect(parseSyncMl(new TextEncoder().encode(xml))).to.deep.equal(original);
  });

  it("keeps Sequence, nested Atomic and commands Windows does not support (by name and CmdID) for their Status", () => {
    const parsed = parseSyncMl(
      message(
        "<Sequence><CmdID>2</CmdID><Atomic><CmdID>3</CmdID><Atomic><CmdID>4</CmdID><Get><CmdID>5</CmdID><Item><Target><LocURI>./a</LocURI></Target></Item></Get></Atomic>" +
          "<Copy><CmdID>6</CmdID><Item><Target><LocURI>./b</LocURI></Target></Item></Copy></Atomic></Sequence><Sync><CmdID>7</CmdID></Sync><Final/>",
      ),
    );
    const expected: SyncMlMessage["commands"] = [
      {
        kind: "Sequence",
        cmdId: "2",
        commands: [
          {
            kind: "Atomic",
            cmdId: "3",
            commands: [
              { kind: "Atomic", cmdId: "4", commands: [{ kind: "Get", cmdId: "5", items: [{ target: "./a" }] }] },
              { kind: "Unsupported", name: "Copy", cmdId: "6" },
            ],
          },
        ],
      },
      { kind: "Unsupported", name: "Sync", cmdId: "7" },
    ];
    expect(parsed.commands).to.deep.equal(expected);
    expect(parseSyncMl(buildSyncMl(parsed))).to.deep.equal(parsed);
  });

  it("reads CDATA data and Meta children written with a prefix or in the SyncML namespace", () => {
    const parsed = parseSyncMl(
      message(
        '<Replace><CmdID>2</CmdID><Item><Target><LocURI>./x</LocURI></Target><Meta xmlns:A="syncml:metinf"><A:Format>chr</A:Format><Type>text/plain</Type></Meta>' +
          "<Data><![CDATA[<enabled/><data id=\"a\" value=\"1\"/>]]></Data></Item></Replace><Final/>",
      ),
    );
    expect(parsed.commands[0]).to.deep.equal({
      kind: "Replace",
      cmdId: "2",
      items: [{ target: "./x", meta: { format: "chr", type: "text/plain" }, data: '<enabled/><data id="a" value="1"/>' }],
    });
  });

  it("refuses a wrong namespace, root or version with SYNCML_VERSION_UNSUPPORTED", () => {
    expect(codeOf(() => parseSyncMl(message("<Final/>", '<SyncML xmlns="SYNCML:SYNCML1.1">').replace("SYNCML1.2", "SYNCML1.1")))).to.equal("SYNCML_VERSION_UNSUPPORTED");
    expect(codeOf(() => parseSyncMl(message("<Final/>", "<SyncML>")))).to.equal("SYNCML_VERSION_UNSUPPORTED");
    const oldProto = message("<Final/>").replace("DM/1.2", "DM/1.1");
    expect(codeOf(() => parseSyncMl(oldProto))).to.equal("SYNCML_VERSION_UNSUPPORTED");
  });

  it("refuses malformed messages with SYNCML_MALFORMED and never another kind of error", () => {
    const cases = [
      "",
      "not xml",
      "<SyncML xmlns=\"SYNCML:SYNCML1.2\"><SyncHdr>",
      message("<Final/><Alert><CmdID>2</CmdID><Data>1201</Data></Alert>"),
      message("<Alert><CmdID>2</CmdID><Data>12</Data></Alert>"),
      message("<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>OK</Data></Status>"),
      message("<Status><CmdID>1</CmdID><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>200</Data></Status>"),
      message("<Get><CmdID>2</CmdID></Get>"),
      message("<Get><Item><Target><LocURI>./x</LocURI></Target></Item></Get>"),
      message("<Replace><CmdID>2</CmdID><Item><Data><x/></Data></Item></Replace>"),
      message("<Atomic><CmdID>2</CmdID></Atomic>"),
      message("<Sequence><CmdID>2</CmdID><Atomic><CmdID>3</CmdID></Atomic></Sequence>"),
      message("<Copy><Item/></Copy>"),
      message("<Final>x</Final>"),
      message('<x:Final xmlns:x="urn:other"/>'),
      message("<Final/>", undefined, "<SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1</SessionID><MsgID>1</MsgID></SyncHdr>"),
      '<SyncML xmlns="SYNCML:SYNCML1.2"><SyncBody/></SyncML>',
      message("<Final/>").replace("<Final/>", "<Final/>&bogus;"),
    ];
    for (const input of cases) expect(codeOf(() => parseSyncMl(input)), input).to.equal("SYNCML_MALFORMED");
    expect(codeOf(() => parseSyncMl(new Uint8Array([0x3c, 0xff, 0xfe])))).to.equal("SYNCML_MALFORMED");
  });

  it("refuses a DTD (entity expansion) as malformed", () => {
    const bomb = '<?xml version="1.0"?><!DOCTYPE SyncML [<!ENTITY a "aaaa">]>' + message("<Final/>");
    expect(codeOf(() => parseSyncMl(bomb))).to.equal("SYNCML_MALFORMED");
  });

  it("refuses oversized messages, too many commands or items, deep nesting and long LocURIs with SYNCML_TOO_LARGE", () => {
    const huge = message(`<Alert><CmdID>2</CmdID><Data>1201</Data></Alert>${" ".repeat(SYNCML_LIMITS.maxBytes)}<Final/>`);
    expect(codeOf(() => parseSyncMl(huge))).to.equal("SYNCML_TOO_LARGE");
    const alerts = Array.from({ length: SYNCML_LIMITS.maxCommands + 1 }, (_, i) => `<Alert><CmdID>${i + 2}</CmdID><Data>1224</Data></Alert>`).join("");
    expect(codeOf(() => parseSyncMl(message(alerts)))).to.equal("SYNCML_TOO_LARGE");
    const items = Array.from({ length: SYNCML_LIMITS.maxItems + 1 }, () => "<Item><Target><LocURI>./a</LocURI></Target></Item>").join("");
    expect(codeOf(() => parseSyncMl(message(`<Get><CmdID>2</CmdID>${items}</Get>`)))).to.equal("SYNCML_TOO_LARGE");
    const deep = "<a>".repeat(SYNCML_LIMITS.maxDepth) + "</a>".repeat(SYNCML_LIMITS.maxDepth);
    expect(codeOf(() => parseSyncMl(message(`<Replace><CmdID>2</CmdID><Item><Data>${deep}</Data></Item></Replace>`)))).to.equal("SYNCML_TOO_LARGE");
    const longUri = "./" + "a".repeat(SYNCML_LIMITS.maxLocUriLength);
    expect(codeOf(() => parseSyncMl(message(`<Get><CmdID>2</CmdID><Item><Target><LocURI>${longUri}</LocURI></Target></Item></Get>`)))).to.equal("SYNCML_TOO_LARGE");
  });

  it("survives random mutations of the captured package with only coded errors", async () => {
    const base = await fixture("syncml-session-start.xml");
    let seed = 0x5eed;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let round = 0; round < 300; round++) {
      const chars = [...base];
      for (let edits = 1 + random(4); edits > 0; edits--) {
        const at = random(chars.length);
        if (random(2) === 0) chars.splice(at, 1);
        else chars.splice(at, 0, "<>&/\"x1"[random(7)]!);
      }
      const input = chars.join("");
      try {
        parseSyncMl(input);
      } catch (error) {
        expect(codeOf(() => parseSyncMl(input)), `seed round ${round}`).to.match(/^SYNCML_/);
        expect(error).to.have.property("code");
      }
    }
  });
});
