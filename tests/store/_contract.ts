/**
 * The behaviour every {@linkcode Store} engine must have, as one suite each engine's test file
 * registers with its own factory.
 *
 * @module
 */
import assert from "assert";
import { StoreError } from "../../src/store/store_error.ts";
import {
  type AppendResult,
  type DedupeKey,
  dedupeKeyOf,
  type NewMessage,
  type RoomRecord,
  type Store,
  type StoredMessage,
} from "../../src/store/types.ts";
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
    assert.equal(await s.deleteRoom("a"), true);
    assert.deepStrictEqual(await s.readMessages("a", { limit: 10 }), {
      messages: [],
      has_more: false,
    });
    assert.deepStrictEqual(await s.getSequence("a"), { last_id: 0, trimmed: 0 });
    assert.deepStrictEqual(ids(await s.readMessages("b", { limit: 10 })), [1]);
    assert.deepStrictEqual(await s.getSequence("b"), { last_id: 1, trimmed: 0 });
    await append(s, [message("a", 1)]);
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
    await append(s, [message("a", 1), message("b", 1), message("a", 2), message("b", 2)]);
    await append(s, [message("a", 3)]);
    assert.deepStrictEqual(ids(await s.readMessages("a", { limit: 10 })), [1, 2, 3]);
    assert.deepStrictEqual(ids(await s.readMessages("b", { limit: 10 })), [1, 2]);
    assert.deepStrictEqual(await s.appendMessages([]), []);
  });

  test(
    "appendMessages() gives each room's messages the ids after its last written one",
    0,
    async (s) => {
      assert.deepStrictEqual(await s.getSequence("lobby"), { last_id: 0, trimmed: 0 });
      const first = await s.appendMessages([fresh("lobby"), fresh("other"), fresh("lobby")]);
      assert.deepStrictEqual(first, [stored(1), stored(1), stored(2)]);
      assert.deepStrictEqual(await s.getSequence("lobby"), { last_id: 2, trimmed: 0 });
      assert.deepStrictEqual(await s.appendMessages([fresh("lobby")]), [stored(3)]);
      assert.deepStrictEqual(ids(await s.readMessages("lobby", { limit: 10 })), [1, 2, 3]);
    },
  );

  test(
    "appendMessages() continues after the last id even when retention removed every message",
    0,
    async (s) => {
      const at = (minute: number) => new Date(Date.UTC(2025, 0, 1, 0, minute)).toISOString();
      await s.appendMessages([
        fresh("lobby", { timestamp: at(1) }),
        fresh("lobby", { timestamp: at(2) }),
      ]);
      await s.trimOlderThan(new Date(at(5)));
      assert.deepStrictEqual(ids(await s.readMessages("lobby", { limit: 10 })), []);
      assert.deepStrictEqual(await s.getSequence("lobby"), { last_id: 2, trimmed: 2 });
      assert.deepStrictEqual(await s.appendMessages([fresh("lobby", { timestamp: at(6) })]), [
        stored(3),
      ]);
    },
  );

  test(
    "appendMessages() publishes a keyed message once: a repeat gets the original id and time",
    0,
    async (s) => {
      const key = dedupe("http:k1", "f1", "2025-01-01T01:00:00.000Z");
      const first = fresh("lobby", { dedupe: key, timestamp: "2025-01-01T00:00:00.000Z" });
      assert.deepStrictEqual(await s.appendMessages([fresh("lobby"), first]), [
        stored(1),
        stored(2),
      ]);
      const repeat = fresh("lobby", { dedupe: key, timestamp: "2025-01-01T00:30:00.000Z" });
      const later = fresh("lobby", { timestamp: "2025-01-01T00:30:00.000Z" });
      assert.deepStrictEqual(await s.appendMessages([repeat, later, repeat]), [
        { status: "duplicate", id: 2, timestamp: "2025-01-01T00:00:00.000Z" },
        stored(3),
        { status: "duplicate", id: 2, timestamp: "2025-01-01T00:00:00.000Z" },
      ]);
      assert.deepStrictEqual(ids(await s.readMessages("lobby", { limit: 10 })), [1, 2, 3]);
    },
  );

  test(
    "appendMessages() refuses a key held for another fingerprint and writes nothing",
    0,
    async (s) => {
      const until = "2025-01-01T01:00:00.000Z";
      await s.appendMessages([fresh("lobby", { dedupe: dedupe("http:k1", "f1", until) })]);
      const other = fresh("lobby", { dedupe: dedupe("http:k1", "f2", until) });
      assert.deepStrictEqual(await s.appendMessages([other]), [{ status: "conflict" }]);
      assert.deepStrictEqual(ids(await s.readMessages("lobby", { limit: 10 })), [1]);
    },
  );

  test(
    "appendMessages() keeps keys per room, apart by scope, and forgets them once expired",
    0,
    async (s) => {
      const until = "2025-01-01T00:10:00.000Z";
      const cid = dedupeKeyOf("cid", "ana", "m1");
      await s.appendMessages([
        fresh("a", { dedupe: dedupe(cid, "", until) }),
        fresh("b", { dedupe: dedupe(cid, "", until) }),
        fresh("a", { dedupe: dedupe(dedupeKeyOf("cid", "bo", "m1"), "", until) }),
        fresh("a", { dedupe: dedupe(dedupeKeyOf("http", "m1"), "", until) }),
      ]);
      assert.deepStrictEqual(ids(await s.readMessages("a", { limit: 10 })), [1, 2, 3]);
      assert.deepStrictEqual(ids(await s.readMessages("b", { limit: 10 })), [1]);
      const expired = fresh("a", { dedupe: dedupe(cid, "", until), timestamp: until });
      assert.deepStrictEqual(await s.appendMessages([expired]), [stored(4)]);
    },
  );

  test("deleteRoom() forgets the room's keys", 0, async (s) => {
    await s.createRoom(room("a"));
    const key = dedupe("http:k1", "f1", "2025-01-01T01:00:00.000Z");
    await s.appendMessages([fresh("a", { dedupe: key })]);
    await s.deleteRoom("a");
    assert.deepStrictEqual(await s.appendMessages([fresh("a", { dedupe: key })]), [stored(1)]);
  });

  test(
    "appendMessages() keeps the newest historySize per room and raises trimmed",
    3,
    async (s) => {
      await append(s, [...range("a", 1, 5), ...range("b", 1, 2)]);
      assert.deepStrictEqual(ids(await s.readMessages("a", { limit: 10 })), [3, 4, 5]);
      assert.deepStrictEqual(await s.getSequence("a"), { last_id: 5, trimmed: 2 });
      assert.deepStrictEqual(ids(await s.readMessages("b", { limit: 10 })), [1, 2]);
      assert.deepStrictEqual(await s.getSequence("b"), { last_id: 2, trimmed: 0 });
      await append(s, [message("a", 6)]);
      assert.deepStrictEqual(ids(await s.readMessages("a", { limit: 10 })), [4, 5, 6]);
      assert.deepStrictEqual(await s.getSequence("a"), { last_id: 6, trimmed: 3 });
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
      assert.deepStrictEqual(await s.getSequence("a"), { last_id: 34, trimmed: 0 });
      await append(s, [message("a", 35)]);
      assert.deepStrictEqual(ids(await s.readMessages("a", { limit: 100 })), rangeIds(4, 35));
      assert.deepStrictEqual(await s.getSequence("a"), { last_id: 35, trimmed: 3 });
    },
  );

  test("appendMessages() keeps all history when historySize is 0", 0, async (s) => {
    await append(s, range("lobby", 1, 1500));
    const read = await s.readMessages("lobby", { limit: 2000 });
    assert.equal(read.messages.length, 1500);
    assert.deepStrictEqual(await s.getSequence("lobby"), { last_id: 1500, trimmed: 0 });
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
    assert.deepStrictEqual(await s.getSequence("a"), { last_id: 5, trimmed: 2 });
    assert.deepStrictEqual(ids(await s.readMessages("b", { limit: 10 })), []);
    assert.deepStrictEqual(await s.getSequence("b"), { last_id: 1, trimmed: 1 });
    assert.deepStrictEqual(ids(await s.readMessages("c", { limit: 10 })), [1]);
    assert.deepStrictEqual(await s.getSequence("c"), { last_id: 1, trimmed: 0 });
    await s.trimOlderThan(new Date(at(0)));
    assert.deepStrictEqual(await s.getSequence("a"), { last_id: 5, trimmed: 2 });
  });

  test(
    "ping() resolves while open; every call rejects with StoreError after close()",
    0,
    async (s) => {
      await s.ping();
      await s.probeWrite();
      await s.close();
      await assert.rejects(s.probeWrite(), StoreError);
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

/**
 * Appends messages as the writer hands them over (payloads serialized, no ids), and checks that
 * the store gave each the id the test expects.
 */
async function append(s: Store, messages: StoredMessage[]): Promise<void> {
  const results = await s.appendMessages(messages.map(newMessage));
  assert.deepStrictEqual(results, messages.map((m) => stored(m.id)));
}

function newMessage(message: StoredMessage): NewMessage {
  const { id: _id, ...rest } = serializeMessage(message);
  return rest;
}

/** A chat message for the store to number. */
function fresh(roomId: string, fields: Partial<NewMessage> = {}): NewMessage {
  return { ...newMessage(message(roomId, 0)), ...fields };
}

function stored(id: number): AppendResult {
  return { status: "stored", id };
}

function dedupe(key: string, fingerprint: string, until: string): DedupeKey {
  return { key, fingerprint, expires_at: Date.parse(until) };
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
