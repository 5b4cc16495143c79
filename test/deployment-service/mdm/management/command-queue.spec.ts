/** The durable command queue: order per device, survival across a restart, what completes a command. */
import { expect } from "chai";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { CommandQueue, commandQueueMigrations, type CommandQueueDatabase } from "../../../../deployment-service/mdm/index.js";
import { openDatabase } from "../../../../lib/index.js";

const GET = { kind: "Get", items: [{ target: "./DevInfo/DevId" }] } as const;

describe("deployment-service/mdm/management/command-queue: per-device durable queue", () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "apsim-command-queue-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function open() {
    const opened = await openDatabase<CommandQueueDatabase>(
      { kind: "sqlite", file: path.join(dir, "store.sqlite") },
      { migrations: (kind) => ({ getMigrations: () => Promise.resolve({ ...commandQueueMigrations(kind) }) }), migrationTableName: "test_migrations" },
    );
    return { db: opened.db, queue: new CommandQueue(opened.db) };
  }

  it("keeps each device's commands in order across a restart, device ids compared without case", async () => {
    const first = await open();
    const a1 = await first.queue.enqueue("aaaa", GET, 1);
    await first.queue.enqueue("BBBB", GET, 2);
    const a2 = await first.queue.enqueue("AAAA", { kind: "Delete", items: [{ target: "./Vendor/MSFT/Policy/Config/Camera/AllowCamera" }] }, 3);
    await first.db.destroy();

    const second = await open();
    try {
      expect((await second.queue.list("AAAA")).map((command) => command.commandId)).to.deep.equal([a1.commandId, a2.commandId]);
      expect((await second.queue.nextQueued("aaaa", 1)).map((command) => command.commandId)).to.deep.equal([a1.commandId]);
      expect((await second.queue.list("BBBB"))).to.have.length(1);
    } finally {
      await second.db.destroy();
    }
  });

  it("completes a command on its own Status, not on a member's; unanswered sent commands go back to the queue", async () => {
    const { db, queue } = await open();
    try {
      const answered = await queue.enqueue("AAAA", GET, 1);
      const unanswered = await queue.enqueue("AAAA", GET, 1);
      await queue.markSent([answered.commandId, unanswered.commandId], "3", "1", 10);
      await queue.recordStatus(answered.commandId, { member: 0, cmd: "Replace", code: 216, targetRefs: [] }, 11);
      expect(await queue.find("AAAA", answered.commandId)).to.include({ state: "sent", status: null });
      await queue.recordStatus(answered.commandId, { member: null, cmd: "Get", code: 200, targetRefs: [] }, 12);
      await queue.recordResults(answered.commandId, [{ member: null, source: "./DevInfo/DevId", data: "AAAA" }]);
      expect(await queue.find("AAAA", answered.commandId)).to.deep.include({ state: "completed", status: 200, completedAt: 12, sessionId: "3", msgId: "1" });
      await queue.requeueUnanswered("AAAA");
      expect((await queue.nextQueued("AAAA", 10)).map((command) => command.commandId)).to.deep.equal([unanswered.commandId]);
      expect((await queue.find("AAAA", answered.commandId))!.results).to.deep.equal([{ member: null, source: "./DevInfo/DevId", data: "AAAA" }]);
    } finally {
      await db.destroy();
    }
  });
});
