import assert from "assert";
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { serializeMessage, storedMessage } from "./_fixtures.ts";
import { Checkpointer } from "../../src/store/_sqlite_checkpointer.ts";
import { SqliteStore } from "../../src/store/sqlite.ts";
import { storeContract } from "./_contract.ts";

storeContract("SqliteStore with background checkpoints", async ({ historySize }) => {
  const dataDir = await Deno.makeTempDir({ prefix: "roomd-store-" });
  const store = SqliteStore.open({ dataDir, historySize, backgroundCheckpoints: true });
  const close = store.close.bind(store);
  store.close = async () => {
    await close();
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  };
  return store;
});

const sizeOf = (path: string) => Deno.statSync(path).size;

Deno.test("with background checkpoints the WAL reaches the database file with no commit", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "roomd-store-" });
  const store = SqliteStore.open({ dataDir, historySize: 0, backgroundCheckpoints: true });
  try {
    const db = join(dataDir, "roomd.db");
    const initial = sizeOf(db);
    // About 2 MB: fewer WAL pages than the 1,000 at which a commit would checkpoint by itself,
    // so only the worker can move them into the database file.
    for (let batch = 0; batch < 40; batch++) {
      const text = "x".repeat(200);
      await store.appendMessages(
        Array.from(
          { length: 100 },
          () => serializeMessage({ ...storedMessage("lobby", 0), data: { text } }),
        ),
      );
    }
    assert.ok(sizeOf(`${db}-wal`) < 1000 * 4096, "under the automatic checkpoint's threshold");
    let grown = 0;
    for (let i = 0; i < 50 && grown < 1_000_000; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      grown = sizeOf(db) - initial;
    }
    assert.ok(grown >= 1_000_000, `the database file grew by ${grown} bytes`);
    assert.equal((await store.getSequence("lobby")).last_id, 4000);
  } finally {
    await store.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("when its worker cannot open the file, the connection checkpoints by itself again", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "roomd-store-" });
  const db = new DatabaseSync(join(dataDir, "roomd.db"));
  try {
    db.exec("PRAGMA journal_mode = WAL");
    const autoCheckpoint = () =>
      (db.prepare("PRAGMA wal_autocheckpoint").get() as { wal_autocheckpoint: number })
        .wal_autocheckpoint;
    const checkpointer = Checkpointer.start(db, join(dataDir, "missing", "roomd.db"));
    assert.ok(checkpointer !== null);
    assert.equal(autoCheckpoint(), 0, "off while the worker is expected to run");
    for (let i = 0; i < 50 && autoCheckpoint() === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(autoCheckpoint(), 1000);
    await checkpointer.stop();
    await checkpointer.stop();
  } finally {
    db.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});
