import assert from "assert";
import { newRoomRecord } from "../../src/room/new_room.ts";
import { type FailingStore, failingStore } from "../_fakes/failing_store.ts";
import { startServer, type TestServer } from "../_helpers/server.ts";
import { ADMIN } from "./_room_api.ts";

async function post(server: TestServer, body: unknown, key?: string) {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (key !== undefined) headers["idempotency-key"] = key;
  const res = await server.request("/api/rooms/lobby/messages", {
    method: "POST",
    body: JSON.stringify(body),
    headers,
    user: ADMIN,
  });
  return { status: res.status, body: await res.json(), headers: res.headers };
}

async function historyIds(server: TestServer): Promise<number[]> {
  const res = await server.request("/api/rooms/lobby/messages?limit=200", { user: ADMIN });
  return (await res.json()).messages.map((m: { id: number }) => m.id);
}

Deno.test("an Idempotency-Key publishes once across a restart: the retry gets the original answer", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "roomd-idempotency-" });
  const env = { ROOMD_DATA_DIR: dataDir };
  const body = { type: "system", data: { text: "once" } };
  try {
    const first = await startServer(env);
    let original;
    try {
      assert.ok(await first.store.createRoom(newRoomRecord("lobby", "api", null, 0)));
      original = await post(first, body, "k-1");
      assert.equal(original.status, 201);
      assert.equal((await post(first, { type: "system", data: { text: "no key" } })).status, 201);
    } finally {
      await first.close();
    }
    const second = await startServer(env);
    try {
      const retry = await post(second, body, "k-1");
      assert.deepStrictEqual([retry.status, retry.body], [201, original.body]);
      assert.equal(retry.headers.get("idempotent-replayed"), "true");
      const reused = await post(second, { type: "system", data: { text: "other" } }, "k-1");
      assert.deepStrictEqual([reused.status, reused.body.error.code], [
        422,
        "idempotency_key_reused",
      ]);
      assert.deepEqual(await historyIds(second), [1, 2], "the retry published nothing");
      assert.equal((await post(second, body, "k-2")).body.id, 3, "ids go on consecutively");
    } finally {
      await second.close();
    }
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("a publish that cannot be stored answers 503 unavailable, and its key does not stick", async () => {
  let disk!: FailingStore;
  const server = await startServer({}, {}, (store) => (disk = failingStore(store)).store);
  try {
    assert.ok(await server.store.createRoom(newRoomRecord("lobby", "api", null, 0)));
    const client = await server.connect("lobby", "ana");
    await client.nextOfType("system");
    disk.full = true;
    const refused = await post(server, { type: "system", data: { text: "lost" } }, "k-1");
    assert.equal(refused.status, 503);
    assert.equal(refused.body.error.code, "unavailable");
    assert.equal(refused.headers.get("retry-after"), "1");
    const ready = await server.request("/readyz");
    assert.equal(ready.status, 503);
    assert.match((await ready.json()).reason, /^store writes fail: .*disk is full/);
    disk.full = false;
    const kept = await post(server, { type: "system", data: { text: "kept" } }, "k-1");
    assert.deepStrictEqual([kept.status, kept.body.id], [201, 1]);
    assert.equal((await server.request("/readyz")).status, 200);
    const delivered = await client.next((m) => m.type === "system" && m.id !== undefined);
    assert.deepStrictEqual([delivered.id, delivered.data.text], [1, "kept"]);
    await client.close();
  } finally {
    await server.close();
  }
});
