import { expect } from "chai";
import { importAutopilotCsv } from "../../../deployment-service/registration/csv-import.js";
import { AUTOPILOT_CSV_HEADER, formatAutopilotCsv } from "../../../protocol/index.js";
import { hardwareHashOf, openTestDirectory, type TestDirectory } from "../support/directory.js";

describe("deployment-service/registration/csv-import", () => {
  let t: TestDirectory;
  beforeEach(async () => {
    t = await openTestDirectory();
  });
  afterEach(async () => t.close());

  it("registers the good rows with manufacturer and model from the hash, and reports the others by line", async () => {
    await t.directory.registerDevice(t.tenant, { serialNumber: "SN-OLD", hardwareHash: hardwareHashOf(99), registeredBy: "csv" });
    const broken = Buffer.from(hardwareHashOf(5), "base64");
    broken[10] = broken[10]! ^ 0xff;
    const file = [
      AUTOPILOT_CSV_HEADER,
      `SN-1,00330-80000-00000-AA123,${hardwareHashOf(1, "Fabrikam", "Book 3")},Sales,ada@contoso.example`,
      `SN-2,,${hardwareHashOf(2)},,ada@fabrikam.example`, // 3: user of another domain
      `SN-3,,${hardwareHashOf(3)},,`,
      `SN-4,,${Buffer.from("not a hash").toString("base64")},,`, // 5: not an OA hash
      `SN-5,,${broken.toString("base64")},,`, // 6: checksum
      `SN-6,,${hardwareHashOf(99)},,`, // 7: already registered (same hash)
      `SN-3,,${hardwareHashOf(7)},,`, // 8: duplicate in the file
    ].join("\r\n");
    const result = await importAutopilotCsv(t.directory, t.tenant, Buffer.from(file, "latin1"));
    expect(result.imported.map((d) => d.serialNumber)).to.deep.equal(["SN-1", "SN-3"]);
    expect(result.imported[0]).to.include({
      manufacturer: "Fabrikam",
      model: "Book 3",
      groupTag: "Sales",
      assignedUser: "ada@contoso.example",
      productId: "00330-80000-00000-AA123",
      registeredBy: "csv",
    });
    expect(result.errors.map((e) => [e.row, e.code])).to.deep.equal([
      [3, "USER_DOMAIN_UNKNOWN"],
      [5, "HARDWARE_HASH_MALFORMED"],
      [6, "HARDWARE_HASH_CHECKSUM_MISMATCH"],
      [7, "DEVICE_ALREADY_REGISTERED"],
      [8, "CSV_DUPLICATE_DEVICE"],
    ]);
    expect((await t.directory.store.listDevices(t.tenant.id)).map((d) => d.serialNumber)).to.deep.equal(["SN-1", "SN-3", "SN-OLD"]);
  });

  it("imports nothing from a file refused as a whole", async () => {
    const text = formatAutopilotCsv([{ serialNumber: "SN-1", productId: "", hardwareHash: hardwareHashOf(1), groupTag: "", assignedUser: "" }]);
    const result = await importAutopilotCsv(t.directory, t.tenant, text.replace("Group Tag", "group tag"));
    expect(result.imported).to.deep.equal([]);
    expect(result.errors.map((e) => e.code)).to.deep.equal(["CSV_HEADER_INVALID"]);
    expect(await t.directory.store.listDevices(t.tenant.id)).to.deep.equal([]);
  });
});
