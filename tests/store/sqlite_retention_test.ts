import assert from "assert";
import { SqliteStore } from "../../src/store/sqlite.ts";
import type { StoredMessage } from "../../src/store/types.ts";
import { serializeMessage } from "./_fixtures.ts";

/** Below 16, so retention is exact (no slack) and every commit trims. */
const HISTORY = 15;

function message(
  roomId: string,
  id: number,
  timestamp = "2025-01-01T00:00:00.000Z",
): StoredMessage {
  return { id, type: "chat", room_id: roomId, user_id: "ana", data: { n: id }, timestamp };
}

/** Ids the room holds, oldest first, and its `trimmed`. */
async function held(store: SqliteStore, roomId: string): Promise<[number[], number]> {
  const page = await store.readMessages(roomId, { since: 0, limit: 1000 });
  const { trimmed } = await store.getSequence(roomId);
  return [page.messages.map((m) => m.id), trimmed];
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

Deno.test("SqliteStore keeps exactly historySize messages per room over many small mixed batches, across reopen, trimOlderThan and deleteRoom", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "roomd-retention-" });
  let store = SqliteStore.open({ dataDir, historySize: HISTORY });
  try {
    const next = { a: 1, b: 1 };
    const append = async (counts: { a: number; b: number }, timestamp?: string) => {
      const batch: StoredMessage[] = [];
      for (let i = 0; i < Math.max(counts.a, counts.b); i++) {
        if (i < counts.a) batch.push(message("a", next.a++, timestamp));
        if (i < counts.b) batch.push(message("b", next.b++, timestamp));
      }
      await store.appendMessages(batch.map(serializeMessage));
    };
    /** The room holds exactly its newest HISTORY messages and counts the older ones trimmed. */
    const assertKeepsNewest = async (room: "a" | "b") => {
      assert.deepEqual(await held(store, room), [
        range(next[room] - HISTORY, next[room] - 1),
        next[room] - HISTORY - 1,
      ]);
    };
    for (let round = 0; round < 15; round++) {
      await append({ a: 1 + (round % 4), b: 1 + (round % 3) * 2 });
    }
    await assertKeepsNewest("a");
    await assertKeepsNewest("b");

    await store.close();
    store = SqliteStore.open({ dataDir, historySize: HISTORY });
    await append({ a: 3, b: 25 });
    await assertKeepsNewest("a");
    await assertKeepsNewest("b");

    const recentA = next.a;
    await append({ a: 5, b: 0 }, "2030-01-01T00:00:00.000Z");
    await store.trimOlderThan(new Date("2029-01-01T00:00:00.000Z"));
    assert.deepEqual(await held(store, "a"), [range(recentA, recentA + 4), recentA - 1]);
    await append({ a: 30, b: 0 }, "2030-01-01T00:00:00.000Z");
    await assertKeepsNewest("a");

    await store.deleteRoom("b");
    next.b = 1;
    await append({ a: 0, b: 7 });
    assert.deepEqual(await held(store, "b"), [range(1, 7), 0]);
    await append({ a: 0, b: 20 });
    assert.deepEqual(await held(store, "b"), [range(13, 27), 12]);
  } finally {
    await store.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("SqliteStore keeps its count of a room's messages when a batch is rejected", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "roomd-retention-" });
  const store = SqliteStore.open({ dataDir, historySize: 3 });
  try {
    await store.appendMessages([1, 2, 3].map((id) => serializeMessage(message("r", id))));
    // The second message breaks a NOT NULL constraint: the transaction is rolled back.
    const broken = { ...serializeMessage(message("r", 5)), type: null as unknown as string };
    await assert.rejects(
      store.appendMessages([serializeMessage(message("r", 4)), broken]),
    );
    await store.appendMessages([serializeMessage(message("r", 4))]);
    assert.deepEqual(await held(store, "r"), [[2, 3, 4], 1]);
  } finally {
    await store.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});
