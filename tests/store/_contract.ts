/**
 * The behaviour every {@linkcode Store} engine must have, as one suite each engine's test file
 * registers with its own factory.
 *
 * @module
 */
import assert from "assert";
import { StoreError } from "../../src/store/store_error.ts";
import { type RoomRecord, type Store, type StoredMessage } from "../../src/store/types.ts";
import { serializeMessage, storedMessage } from "./_fixtures.ts";

/** What the suite asks of the factory. */
export interface ContractStoreOptions {
  /** Newest messages kept per room (0 = unlimited). */
  historySize: number;
}

/**
 * Registers the contract tests of a storage engine. Each test opens a fresh store with
 * `open` and closes it at the end (closing may happen twice; the factory's store must allow
 * that).
 *
 * @param name The engine's name, used as the prefix of every test name (e.g. `MemoryStore`).
 * @param open Opens an empty store with the given retention.
 */
export function storeContract(
  name: string,
  open: (options: ContractStoreOptions) => Store | Promise<Store>,
): void {
  const test = (
    title: string,
    historySize: number,
    body: (store: Store) => Promise<void>,
  ): void => {
    Deno.test(`${name}.${title}`, async () => {
      const store = await open({ historySize });
      try {
        await body(store);
      } finally {
        await store.close();
      }
    });
  };

  test("getRoom() returns every field as created, and null for an unknown id", 0, async (s) => {
    const lobby = room("lobby", {
      created_by: "ana",
      max_clients: 25,
      is_private: true,
      members: ["ana", "bo"],
      metadata: { topic: "héllo", nested: { list: [1, 2.5, null, true] } },
      ttl_s: 90,
      msg_rate: 2.5,
      msg_burst: 7,
      presence: "count",
      empty_since: "2025-01-01T00:00:00.000Z",
    });
    assert.equal(await s.createRoom(lobby), true);
    assert.deepStrictEqual(await s.getRoom("lobby"), lobby);
    assert.deepStrictEqual(await s.getRoom("auto-room"), null);
    assert.equal(await s.createRoom(room("plain")), true);
    assert.deepStrictEqual(await s.getRoom("plain"), room("plain"));
  });

  test("createRoom() refuses a taken id and keeps the first record", 0, async (s) => {
    assert.equal(await s.createRoom(room("lobby", { name: "First" })), true);
    assert.equal(await s.createRoom(room("lobby", { name: "Second" })), false);
    assert.equal((await s.getRoom("lobby"))?.name, "First");
  });

  test("getRoom() hands out copies that do not alter the store", 0, async (s) => {
    await s.createRoom(room("lobby", { members: ["ana"], metadata: { a: { b: 1 } } }));
    const copy = await s.getRoom("lobby");
    assert.ok(copy);
    copy.members.push("eve");
    (copy.metadata.a as Record<string, number>).b = 2;
    assert.deepStrictEqual(
      await s.getRoom("lobby"),
      room("lobby", {
        members: ["ana"],
        metadata: { a: { b: 1 } },
      }),
    );
  });

  test("updateRoom() changes only the given fields and returns the stored room", 0, async (s) => {
    await s.createRoom(room("lobby", { ttl_s: 60, empty_since: "2025-01-01T00:00:00.000Z" }));
    const updated = await s.updateRoom("lobby", {
      name: "Lobby",
      is_private: true,
      members: ["ana"],
      metadata: { topic: "news" },
      empty_since: null,
      msg_rate: 0.5,
      presence: "off",
      ttl_s: undefined,
    });
    const expected = room("lobby", {
      name: "Lobby",
      is_private: true,
      members: ["ana"],
      metadata: { topic: "news" },
      ttl_s: 60,
      msg_rate: 0.5,
      presence: "off",
      empty_since: null,
    });
    assert.deepStrictEqual(updated, expected);
    assert.deepStrictEqual(await s.getRoom("lobby"), expected);
    assert.equal(await s.updateRoom("missing", { name: "x" }), null);
    assert.equal(await s.getRoom("missing"), null);
  });

  test("updateRoom() ignores fields a patch may not change", 0, async (s) => {
    await s.createRoom(room("lobby"));
    const sneaky = { name: "Renamed", id: "other", epoch: "e2", origin: "auto" };
    assert.deepStrictEqual(
      await s.updateRoom("lobby", sneaky),
      room("lobby", { name: "Renamed" }),
    );
    assert.equal(await s.getRoom("other"), null);
  });

  test("deleteRoom() removes the room and reports whether it existed", 0, async (s) => {
    await s.createRoom(room("lobby"));
    assert.equal(await s.deleteRoom("lobby"), true);
    assert.equal(await s.getRoom("lobby"), null);
    assert.equal(await s.deleteRoom("lobby"), false);
    assert.equal(await s.createRoom(room("lobby")), true);
  });

  test("deleteRoom() removes the room's history and sequence, not other rooms'", 0, async (s) => {
    await s.createRoom(room("a"));
    await s.createRoom(room("b"));
    await append(s, [message("a", 1), message("b", 1), message("a", 2)]);
    await s.reserveSequence("a", 100);
    assert.equal(await s.deleteRoom("a"), true);
    assert.deepStrictEqual(await s.readMessages("a", { limit: 10 }), {
      messages: [],
      has_more: false,
    });
    assert.deepStrictEqual(await s.getSequence("a"), { reserved: 0, trimmed: 0 });
    assert.deepStrictEqual(ids(await s.readMessages("b", { limit: 10 })), [1]);
    assert.deepStrictEqual(await s.getSequence("b"), { reserved: 1, trimmed: 0 });
  });

  test("listRooms() returns rooms by id and pages by cursor", 0, async (s) => {
    for (const id of ["d", "b", "a", "c"]) await s.createRoom(room(id));
    const first = await s.listRooms({ limit: 2 });
    assert.deepStrictEqual(first.rooms.map((r) => r.id), ["a", "b"]);
    assert.deepStrictEqual(first.rooms[0], room("a"));
    assert.equal(first.next_cursor, "b");
    const second = await s.listRooms({ limit: 2, cursor: "b" });
    assert.deepStrictEqual(second.rooms.map((r) => r.id), ["c", "d"]);
    assert.equal(second.next_cursor, null);
    const all = await s.listRooms({ limit: 1000 });
    assert.deepStrictEqual(all.rooms.map((r) => r.id), ["a", "b", "c", "d"]);
    assert.equal(all.next_cursor, null);
    assert.deepStrictEqual(await s.listRooms({ limit: 5, cursor: "d" }), {
      rooms: [],
      next_cursor: null,
    });
  });

  test("listRooms() keeps only ids with the prefix, literally, across pages", 0, async (s) => {
    const all = ["room", "room:1", "room:10", "room:2", "roomy", "a_b", "axb", "other", "r"];
    for (const id of all) await s.createRoom(room(id));
    const first = await s.listRooms({ prefix: "room:", limit: 2 });
    assert.deepStrictEqual(first.rooms.map((r) => r.id), ["room:1", "room:10"]);
    assert.equal(first.next_cursor, "room:10");
    const second = await s.listRooms({ prefix: "room:", limit: 2, cursor: "room:10" });
    assert.deepStrictEqual(second.rooms.map((r) => r.id), ["room:2"]);
    assert.equal(second.next_cursor, null);
    const fromBefore = await s.listRooms({ prefix: "room:", limit: 10, cursor: "a" });
    assert.deepStrictEqual(fromBefore.rooms.map((r) => r.id), ["room:1", "room:10", "room:2"]);
    const wild = await s.listRooms({ prefix: "a_", limit: 10 });
    assert.deepStrictEqual(wild.rooms.map((r) => r.id), ["a_b"]);
    const none = await s.listRooms({ prefix: "zz", limit: 10 });
    assert.deepStrictEqual(none, { rooms: [], next_cursor: null });
  });

  test(
    "listExpiredRooms() applies ttl_s, the server TTL to auto rooms, and nothing to others",
    0,
    async (s) => {
      const now = new Date("2025-06-01T12:00:00.000Z");
      const emptyFor = (seconds: number) => new Date(now.getTime() - seconds * 1000).toISOString();
      const rooms: [string, Partial<RoomRecord>, boolean][] = [
        ["auto-at-default", { origin: "auto", empty_since: emptyFor(300) }, true],
        ["auto-before-default", { origin: "auto", empty_since: emptyFor(299.999) }, false],
        ["auto-occupied", { origin: "auto", empty_since: null }, false],
        ["api-no-ttl", { origin: "api", empty_since: emptyFor(1e6) }, false],
        ["api-at-ttl", { origin: "api", ttl_s: 60, empty_since: emptyFor(60) }, true],
        ["api-before-ttl", { origin: "api", ttl_s: 60, empty_since: emptyFor(59) }, false],
        ["api-ttl-occupied", { origin: "api", ttl_s: 1, empty_since: null }, false],
        ["auto-long-ttl", { origin: "auto", ttl_s: 600, empty_since: emptyFor(400) }, false],
        ["auto-short-ttl", { origin: "auto", ttl_s: 10, empty_since: emptyFor(20) }, true],
        ["auto-zero-ttl", { origin: "auto", ttl_s: 0, empty_since: emptyFor(0) }, true],
      ];
      for (const [id, fields] of rooms) await s.createRoom(room(id, fields));
      const expected = rooms.filter(([, , due]) => due).map(([id]) => id).sort();
      assert.deepStrictEqual(await s.listExpiredRooms(now, 300), expected);
      assert.deepStrictEqual(await s.listExpiredRooms(new Date(0), 300), []);
    },
  );

  test("readMessages() without bounds returns the newest page, oldest first", 0, async (s) => {
    await append(s, range("lobby", 1, 10));
    assert.deepStrictEqual(page(await s.readMessages("lobby", { limit: 3 })), [[8, 9, 10], true]);
    assert.deepStrictEqual(page(await s.readMessages("lobby", { limit: 10 })), [
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
      false,
    ]);
    assert.deepStrictEqual(page(await s.readMessages("empty", { limit: 5 })), [[], false]);
  });

  test("readMessages() with since only returns the oldest page after it", 0, async (s) => {
    await append(s, range("lobby", 1, 10));
    assert.deepStrictEqual(
      page(await s.readMessages("lobby", { since: 3, limit: 3 })),
      [[4, 5, 6], true],
    );
    assert.deepStrictEqual(
      page(await s.readMessages("lobby", { since: 7, limit: 3 })),
      [[8, 9, 10], false],
    );
    assert.deepStrictEqual(page(await s.readMessages("lobby", { since: 10, limit: 3 })), [
      [],
      false,
    ]);
    assert.deepStrictEqual(page(await s.readMessages("lobby", { since: 0, limit: 2 })), [
      [1, 2],
      true,
    ]);
  });

  test("readMessages() with before returns the newest page below it", 0, async (s) => {
    await append(s, range("lobby", 1, 10));
    assert.deepStrictEqual(
      page(await s.readMessages("lobby", { before: 6, limit: 3 })),
      [[3, 4, 5], true],
    );
    assert.deepStrictEqual(
      page(await s.readMessages("lobby", { before: 4, limit: 3 })),
      [[1, 2, 3], false],
    );
    assert.deepStrictEqual(
      page(await s.readMessages("lobby", { since: 2, before: 9, limit: 3 })),
      [[6, 7, 8], true],
    );
    assert.deepStrictEqual(
      page(await s.readMessages("lobby", { since: 5, before: 9, limit: 3 })),
      [[6, 7, 8], false],
    );
    assert.deepStrictEqual(
      page(await s.readMessages("lobby", { since: 5, before: 6, limit: 3 })),
      [[], false],
    );
  });

  test("readMessages() rejects a limit below 1", 0, async (s) => {
    await assert.rejects(s.readMessages("lobby", { limit: 0 }), RangeError);
    await assert.rejects(s.listRooms({ limit: 0 }), RangeError);
  });

  test("appendMessages() keeps every field and round-trips data as JSON", 0, async (s) => {
    const data = {
      text: "héllo 👋",
      n: 1.5,
      list: [1, "two", null, false, { deep: true }],
      gone: undefined,
    };
    const written = [
      message("lobby", 1, { data, user_id: null, type: "system" }),
      message("lobby", 2, { data: "just a string" }),
      message("lobby", 3, { data: null }),
      message("lobby", 4, { data: [] }),
    ];
    await append(s, written);
    const read = (await s.readMessages("lobby", { limit: 10 })).messages;
    assert.deepStrictEqual(
      read,
      written.map((m) => ({ ...m, data: JSON.parse(JSON.stringify(m.data)) })),
    );
    assert.equal("gone" in (read[0].data as Record<string, unknown>), false);
  });

  test("appendMessages() keeps each room's history apart", 0, async (s) => {
    await append(s, [message("a", 1), message("b", 1), message("a", 2), message("b", 5)]);
    await append(s, [message("a", 3)]);
    assert.deepStrictEqual(ids(await s.readMessages("a", { limit: 10 })), [1, 2, 3]);
    assert.deepStrictEqual(ids(await s.readMessages("b", { limit: 10 })), [1, 5]);
    await append(s, []);
  });

  test("appendMessages() rejects a batch with a taken id and writes none of it", 0, async (s) => {
    await append(s, [message("a", 1), message("a", 2)]);
    const error = await append(s, [message("b", 1), message("a", 3), message("a", 2)])
      .then(() => null, (err: unknown) => err);
    assert.ok(error instanceof StoreError, `expected a StoreError, got ${error}`);
    assert.doesNotMatch(error.message, /\n/);
    assert.deepStrictEqual(ids(await s.readMessages("a", { limit: 10 })), [1, 2]);
    assert.deepStrictEqual(ids(await s.readMessages("b", { limit: 10 })), []);
    assert.deepStrictEqual(await s.getSequence("a"), { reserved: 2, trimmed: 0 });
    assert.deepStrictEqual(await s.getSequence("b"), { reserved: 0, trimmed: 0 });
    await append(s, [message("a", 3)]);
    assert.deepStrictEqual(ids(await s.readMessages("a", { limit: 10 })), [1, 2, 3]);
  });

  test("appendMessages() rejects an id repeated within one batch", 0, async (s) => {
    const error = await append(s, [message("a", 1), message("a", 2), message("a", 2)])
      .then(() => null, (err: unknown) => err);
    assert.ok(error instanceof StoreError, `expected a StoreError, got ${error}`);
    assert.deepStrictEqual(ids(await s.readMessages("a", { limit: 10 })), []);
  });

  test("appendMessages() keeps history in id order whatever order ids arrive in", 0, async (s) => {
    await append(s, [message("a", 5), message("a", 2)]);
    assert.deepStrictEqual(ids(await s.readMessages("a", { limit: 10 })), [2, 5]);
    await append(s, [message("a", 3), message("a", 7)]);
    assert.deepStrictEqual(ids(await s.readMessages("a", { limit: 10 })), [2, 3, 5, 7]);
    assert.deepStrictEqual(ids(await s.readMessages("a", { limit: 10, since: 2 })), [3, 5, 7]);
  });

  test(
    "appendMessages() raises reserved to the highest id written, never lowers it",
    0,
    async (s) => {
      assert.deepStrictEqual(await s.getSequence("lobby"), { reserved: 0, trimmed: 0 });
      await append(s, [message("lobby", 2), message("lobby", 1)]);
      assert.deepStrictEqual(await s.getSequence("lobby"), { reserved: 2, trimmed: 0 });
      await s.reserveSequence("lobby", 10);
      await append(s, [message("lobby", 3)]);
      assert.deepStrictEqual(await s.getSequence("lobby"), { reserved: 10, trimmed: 0 });
      await append(s, [message("lobby", 12)]);
      assert.deepStrictEqual(await s.getSequence("lobby"), { reserved: 12, trimmed: 0 });
    },
  );

  test("reserveSequence() raises reserved and never lowers it", 0, async (s) => {
    await s.reserveSequence("lobby", 50);
    assert.deepStrictEqual(await s.getSequence("lobby"), { reserved: 50, trimmed: 0 });
    await s.reserveSequence("lobby", 20);
    assert.deepStrictEqual(await s.getSequence("lobby"), { reserved: 50, trimmed: 0 });
    await s.reserveSequence("lobby", 70);
    assert.deepStrictEqual(await s.getSequence("lobby"), { reserved: 70, trimmed: 0 });
    assert.deepStrictEqual(await s.getSequence("other"), { reserved: 0, trimmed: 0 });
  });

  test(
    "appendMessages() keeps the newest historySize per room and raises trimmed",
    3,
    async (s) => {
      await append(s, [...range("a", 1, 5), ...range("b", 1, 2)]);
      assert.deepStrictEqual(ids(await s.readMessages("a", { limit: 10 })), [3, 4, 5]);
      assert.deepStrictEqual(await s.getSequence("a"), { reserved: 5, trimmed: 2 });
      assert.deepStrictEqual(ids(await s.readMessages("b", { limit: 10 })), [1, 2]);
      assert.deepStrictEqual(await s.getSequence("b"), { reserved: 2, trimmed: 0 });
      await append(s, [message("a", 7)]);
      assert.deepStrictEqual(ids(await s.readMessages("a", { limit: 10 })), [4, 5, 7]);
      assert.deepStrictEqual(await s.getSequence("a"), { reserved: 7, trimmed: 3 });
      assert.deepStrictEqual(
        page(await s.readMessages("a", { since: 0, limit: 2 })),
        [[4, 5], true],
      );
    },
  );

  test(
    "appendMessages() lets a room hold historySize/16 more before trimming back to historySize",
    32,
    async (s) => {
      await append(s, range("a", 1, 34));
      assert.equal((await s.readMessages("a", { limit: 100 })).messages.length, 34);
      assert.deepStrictEqual(await s.getSequence("a"), { reserved: 34, trimmed: 0 });
      await append(s, [message("a", 35)]);
      assert.deepStrictEqual(ids(await s.readMessages("a", { limit: 100 })), rangeIds(4, 35));
      assert.deepStrictEqual(await s.getSequence("a"), { reserved: 35, trimmed: 3 });
    },
  );

  test("appendMessages() keeps all history when historySize is 0", 0, async (s) => {
    await append(s, range("lobby", 1, 1500));
    const read = await s.readMessages("lobby", { limit: 2000 });
    assert.equal(read.messages.length, 1500);
    assert.deepStrictEqual(await s.getSequence("lobby"), { reserved: 1500, trimmed: 0 });
  });

  test("trimOlderThan() removes older messages in every room and raises trimmed", 0, async (s) => {
    const at = (minute: number) => new Date(Date.UTC(2025, 0, 1, 0, minute)).toISOString();
    await append(s, [
      ...[1, 2, 3, 4, 5].map((id) => message("a", id, { timestamp: at(id) })),
      message("b", 1, { timestamp: at(1) }),
      message("c", 1, { timestamp: at(9) }),
    ]);
    await s.trimOlderThan(new Date(at(3)));
    assert.deepStrictEqual(ids(await s.readMessages("a", { limit: 10 })), [3, 4, 5]);
    assert.deepStrictEqual(await s.getSequence("a"), { reserved: 5, trimmed: 2 });
    assert.deepStrictEqual(ids(await s.readMessages("b", { limit: 10 })), []);
    assert.deepStrictEqual(await s.getSequence("b"), { reserved: 1, trimmed: 1 });
    assert.deepStrictEqual(ids(await s.readMessages("c", { limit: 10 })), [1]);
    assert.deepStrictEqual(await s.getSequence("c"), { reserved: 1, trimmed: 0 });
    await s.trimOlderThan(new Date(at(0)));
    assert.deepStrictEqual(await s.getSequence("a"), { reserved: 5, trimmed: 2 });
  });

  test(
    "ping() resolves while open; every call rejects with StoreError after close()",
    0,
    async (s) => {
      await s.ping();
      await s.close();
      await assert.rejects(s.ping(), StoreError);
      await assert.rejects(s.getRoom("lobby"), StoreError);
      await assert.rejects(append(s, [message("lobby", 1)]), StoreError);
      await assert.rejects(s.readMessages("lobby", { limit: 1 }), /store is closed/);
    },
  );
}

function room(id: string, fields: Partial<RoomRecord> = {}): RoomRecord {
  return {
    id,
    name: id,
    created_at: "2025-01-01T00:00:00.000Z",
    created_by: null,
    max_clients: 0,
    is_private: false,
    members: [],
    metadata: {},
    ttl_s: null,
    origin: "api",
    epoch: "epoch-1",
    msg_rate: null,
    msg_burst: null,
    presence: "full",
    empty_since: null,
    ...fields,
  };
}

const message = storedMessage;

/** Appends messages as the writer hands them over, their payloads serialized. */
function append(s: Store, messages: StoredMessage[]): Promise<void> {
  return s.appendMessages(messages.map(serializeMessage));
}

function range(roomId: string, first: number, last: number): StoredMessage[] {
  return Array.from({ length: last - first + 1 }, (_, i) => message(roomId, first + i));
}

function rangeIds(first: number, last: number): number[] {
  return Array.from({ length: last - first + 1 }, (_, i) => first + i);
}

function ids(history: { messages: StoredMessage[] }): number[] {
  return history.messages.map((m) => m.id);
}

function page(history: { messages: StoredMessage[]; has_more: boolean }): [number[], boolean] {
  return [ids(history), history.has_more];
}
