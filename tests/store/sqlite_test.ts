import assert from "assert";
import { serializeMessage, storedMessage } from "./_fixtures.ts";
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { SqliteStore } from "../../src/store/sqlite.ts";
import { StoreError } from "../../src/store/store_error.ts";
import type { StoredMessage } from "../../src/store/types.ts";
import { storeContract } from "./_contract.ts";

storeContract("SqliteStore", async ({ historySize }) => {
  const dataDir = await Deno.makeTempDir({ prefix: "roomd-store-" });
  const store = SqliteStore.open({ dataDir, historySize });
  const close = store.close.bind(store);
  let removed = false;
  store.close = async () => {
    await close();
    if (removed) return;
    removed = true;
    await Deno.remove(dataDir, { recursive: true });
  };
  return store;
});

/** Runs `body` with a fresh data directory, removed afterwards. */
async function withDataDir(body: (dataDir: string) => Promise<void>): Promise<void> {
  const dataDir = await Deno.makeTempDir({ prefix: "roomd-store-" });
  try {
    await body(dataDir);
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
}

function message(id: number): StoredMessage {
  return storedMessage("lobby", id);
}

function openError(options: { dataDir: string; historySize: number }): StoreError {
  try {
    SqliteStore.open(options).close();
  } catch (err) {
    assert.ok(err instanceof StoreError, `expected a StoreError, got ${err}`);
    assert.doesNotMatch(err.message, /\n/);
    return err;
  }
  throw new Error("SqliteStore.open() succeeded");
}

Deno.test("SqliteStore keeps rooms, history, sequences and dedupe keys across close and reopen", async () => {
  await withDataDir(async (dataDir) => {
    const first = SqliteStore.open({ dataDir, historySize: 3 });
    const lobby = {
      id: "lobby",
      name: "Lobby",
      created_at: "2025-01-01T00:00:00.000Z",
      created_by: "ana",
      max_clients: 10,
      is_private: true,
      members: ["ana"],
      metadata: { topic: "news" },
      ttl_s: null,
      origin: "api" as const,
      epoch: "e1",
      msg_rate: 1.5,
      msg_burst: 3,
      presence: "count" as const,
      empty_since: null,
    };
    await first.createRoom(lobby);
    await first.appendMessages([1, 2, 3, 4].map((id) => serializeMessage(message(id))));
    const key = { key: "http:k1", fingerprint: "f1", expires_at: Date.parse("2025-01-02") };
    const keyed = { ...serializeMessage(message(5)), dedupe: key };
    assert.deepStrictEqual(await first.appendMessages([keyed]), [{ status: "stored", id: 5 }]);
    await first.close();

    const t0 = Date.now(); // whole milliseconds, like the ISO timestamp it is compared with
    const second = SqliteStore.open({ dataDir, historySize: 3 });
    try {
      const reopened = await second.getRoom("lobby");
      assert.deepStrictEqual({ ...reopened, empty_since: null }, lobby);
      assert.ok(
        Date.parse(reopened!.empty_since!) >= t0,
        "occupied rooms count as empty from start-up",
      );
      const history = await second.readMessages("lobby", { limit: 10 });
      assert.deepStrictEqual(history.messages, [3, 4, 5].map(message));
      assert.deepStrictEqual(await second.getSequence("lobby"), { last_id: 5, trimmed: 2 });
      assert.deepStrictEqual(await second.appendMessages([keyed]), [
        { status: "duplicate", id: 5, timestamp: message(5).timestamp },
      ]);
      assert.deepStrictEqual(
        await second.appendMessages([serializeMessage(message(6))]),
        [{ status: "stored", id: 6 }],
      );
    } finally {
      await second.close();
    }
  });
});

Deno.test("SqliteStore.open() records the schema version once and uses WAL", async () => {
  await withDataDir(async (dataDir) => {
    await SqliteStore.open({ dataDir, historySize: 0 }).close();
    await SqliteStore.open({ dataDir, historySize: 0 }).close();
    const db = new DatabaseSync(join(dataDir, "roomd.db"));
    try {
      const versions = db.prepare("SELECT version FROM schema_version").all();
      assert.equal(versions.length, 1);
      assert.ok(Number(versions[0].version) >= 1, `version ${versions[0].version}`);
      const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
        .all().map((row) => row.name);
      assert.deepStrictEqual(tables, [
        "dedupe",
        "messages",
        "probe",
        "rooms",
        "schema_version",
        "sequences",
      ]);
      assert.equal(db.prepare("PRAGMA journal_mode").get()?.journal_mode, "wal");
    } finally {
      db.close();
    }
  });
});

Deno.test("SqliteStore.open() migrates a version 1 database: its rooms get presence full", async () => {
  await withDataDir(async (dataDir) => {
    const db = new DatabaseSync(join(dataDir, "roomd.db"));
    db.exec(`CREATE TABLE schema_version (version INTEGER NOT NULL);
      INSERT INTO schema_version (version) VALUES (1);
      CREATE TABLE rooms (
        id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL, created_at TEXT NOT NULL,
        created_by TEXT, max_clients INTEGER NOT NULL, is_private INTEGER NOT NULL,
        members TEXT NOT NULL, metadata TEXT NOT NULL, ttl_s REAL,
        origin TEXT NOT NULL CHECK (origin IN ('api', 'auto')), epoch TEXT NOT NULL,
        msg_rate REAL, msg_burst INTEGER, empty_since TEXT
      ) WITHOUT ROWID;
      CREATE TABLE messages (
        room_id TEXT NOT NULL, id INTEGER NOT NULL, type TEXT NOT NULL, user_id TEXT,
        data TEXT NOT NULL, timestamp TEXT NOT NULL, PRIMARY KEY (room_id, id)
      ) WITHOUT ROWID;
      CREATE TABLE sequences (
        room_id TEXT PRIMARY KEY NOT NULL, reserved INTEGER NOT NULL, trimmed INTEGER NOT NULL
      ) WITHOUT ROWID;
      INSERT INTO rooms VALUES ('old', 'Old', '2025-01-01T00:00:00.000Z', NULL, 0, 0, '[]',
        '{}', NULL, 'api', 'e1', NULL, NULL, NULL);`);
    db.close();
    const store = SqliteStore.open({ dataDir, historySize: 0 });
    try {
      assert.equal((await store.getRoom("old"))?.presence, "full");
      assert.equal((await store.updateRoom("old", { presence: "off" }))?.presence, "off");
    } finally {
      await store.close();
    }
  });
});

Deno.test("SqliteStore.open() refuses a database from a newer roomd", async () => {
  await withDataDir(async (dataDir) => {
    await SqliteStore.open({ dataDir, historySize: 0 }).close();
    const db = new DatabaseSync(join(dataDir, "roomd.db"));
    db.exec("UPDATE schema_version SET version = 999");
    db.close();
    const error = openError({ dataDir, historySize: 0 });
    assert.match(error.message, /^Cannot open database .*roomd\.db: schema version 999 is newer/);
  });
});

Deno.test("SqliteStore.open() reports a corrupted file in one line", async () => {
  await withDataDir(async (dataDir) => {
    const path = join(dataDir, "roomd.db");
    await Deno.writeTextFile(path, "this is not a database, just some text. ".repeat(200));
    const error = openError({ dataDir, historySize: 0 });
    assert.equal(error.message, `Cannot open database ${path}: file is not a database`);
  });
});

Deno.test("SqliteStore.open() reports a data dir that is a regular file in one line", async () => {
  await withDataDir(async (dataDir) => {
    const file = join(dataDir, "not-a-dir");
    await Deno.writeTextFile(file, "x");
    const error = openError({ dataDir: file, historySize: 0 });
    assert.match(error.message, new RegExp(`^Cannot create data directory ${file}: `));
    const nested = openError({ dataDir: join(file, "data"), historySize: 0 });
    assert.match(nested.message, /^Cannot create data directory .*not-a-dir\/data: /);
  });
});

Deno.test("SqliteStore.open() reports a database path it cannot open in one line", async () => {
  await withDataDir(async (dataDir) => {
    const path = join(dataDir, "roomd.db");
    await Deno.mkdir(path);
    const error = openError({ dataDir, historySize: 0 });
    assert.equal(error.message, `Cannot open database ${path}: unable to open database file`);
  });
});

Deno.test("SqliteStore.ping() rejects while the file is moved away or replaced", async () => {
  await withDataDir(async (dataDir) => {
    const path = join(dataDir, "roomd.db");
    const store = SqliteStore.open({ dataDir, historySize: 0 });
    try {
      await store.ping();
      await Deno.rename(path, `${path}.moved`);
      await assert.rejects(store.ping(), (err: unknown) => {
        assert.ok(err instanceof StoreError);
        assert.equal(err.message, `Cannot ping database ${path}: the file no longer exists`);
        return true;
      });
      await Deno.rename(`${path}.moved`, path);
      await store.ping();
      await Deno.copyFile(path, `${path}.copy`);
      await Deno.rename(`${path}.copy`, path);
      await assert.rejects(store.ping(), /^StoreError: .*the file was replaced/);
    } finally {
      await store.close();
    }
  });
});

Deno.test("SqliteStore keeps a committed batch when the process is killed", async () => {
  await withDataDir(async (dataDir) => {
    const module = new URL("../../src/store/sqlite.ts", import.meta.url).href;
    const script = `
      import { SqliteStore } from ${JSON.stringify(module)};
      const store = SqliteStore.open({ dataDir: ${JSON.stringify(dataDir)}, historySize: 0 });
      await store.appendMessages([1, 2, 3].map((id) => ({
        id, type: "chat", room_id: "lobby", user_id: "ana", data_json: JSON.stringify({ text: "message " + id }),
        timestamp: "2025-01-01T00:00:00.000Z",
      })));
      console.log("committed");
      setInterval(() => {}, 1000);
    `;
    const child = new Deno.Command(Deno.execPath(), {
      args: ["eval", "--quiet", script],
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let output = "";
    while (!output.includes("committed")) {
      const { value, done } = await reader.read();
      if (done) break;
      output += value;
    }
    child.kill("SIGKILL");
    await reader.cancel();
    assert.equal((await child.status).signal, "SIGKILL");
    assert.match(output, /committed/);

    const store = SqliteStore.open({ dataDir, historySize: 0 });
    try {
      const history = await store.readMessages("lobby", { limit: 10 });
      assert.deepStrictEqual(history.messages, [1, 2, 3].map(message));
    } finally {
      await store.close();
    }
  });
});

Deno.test("SqliteStore continues after the id block an older roomd reserved, and never below it", async () => {
  await withDataDir(async (dataDir) => {
    await SqliteStore.open({ dataDir, historySize: 0 }).close();
    const db = new DatabaseSync(join(dataDir, "roomd.db"));
    db.prepare("INSERT INTO sequences (room_id, reserved, trimmed) VALUES ('lobby', 1000, 0)")
      .run();
    db.close();
    const store = SqliteStore.open({ dataDir, historySize: 0 });
    try {
      assert.deepStrictEqual(await store.getSequence("lobby"), { last_id: 1000, trimmed: 0 });
      const appended = await store.appendMessages(
        [1, 2].map((id) => serializeMessage(message(id))),
      );
      assert.deepStrictEqual(appended, [{ status: "stored", id: 1001 }, {
        status: "stored",
        id: 1002,
      }]);
    } finally {
      await store.close();
    }
  });
});
