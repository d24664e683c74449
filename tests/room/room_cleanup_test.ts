import assert from "assert";
import type { TestClient } from "../_helpers/client.ts";
import { fakeDate } from "../_helpers/fake_date.ts";
import { startServer, type TestServer } from "../_helpers/server.ts";
import { until } from "../_helpers/until.ts";
import { ADMIN, call } from "../http/_room_api.ts";

/** Joins a room and leaves it, then waits until the room is recorded as empty. */
async function visit(server: TestServer, room: string, user = "ann"): Promise<void> {
  const client = await server.connect(room, user);
  await client.nextOfType("system");
  await client.close();
  await until(
    async () => (await server.store.getRoom(room))?.empty_since != null,
    `room ${room} to be empty`,
  );
}

async function createRoom(server: TestServer, body: Record<string, unknown>): Promise<void> {
  assert.equal((await call(server, "POST", "/api/rooms", ADMIN, body)).status, 201);
}

async function exists(server: TestServer, room: string): Promise<boolean> {
  return (await server.store.getRoom(room)) !== null;
}

Deno.test("empty auto rooms are forgotten after ROOMD_EMPTY_ROOM_TTL_S; API rooms without ttl_s stay", async () => {
  const clock = fakeDate();
  const server = await startServer({ ROOMD_EMPTY_ROOM_TTL_S: "300" });
  try {
    await visit(server, "drop-in");
    await createRoom(server, { id: "standing" });
    await visit(server, "standing");
    await createRoom(server, { id: "never-visited" });

    clock.tick(299_999);
    await server.roomd.janitor.sweep();
    assert.ok(await exists(server, "drop-in"), "not yet 300 s empty");

    clock.tick(1);
    await server.roomd.janitor.sweep();
    assert.equal(await exists(server, "drop-in"), false);

    clock.tick(30 * 24 * 3600 * 1000);
    await server.roomd.janitor.sweep();
    assert.ok(await exists(server, "standing"));
    assert.ok(await exists(server, "never-visited"));
  } finally {
    clock.uninstall();
    await server.close();
  }
});

Deno.test("rooms with ttl_s are deleted that long after they become empty", async () => {
  const clock = fakeDate();
  const server = await startServer({ ROOMD_EMPTY_ROOM_TTL_S: "300" });
  try {
    await createRoom(server, { id: "unvisited", ttl_s: 60 });
    clock.tick(10_000);
    await createRoom(server, { id: "brief", ttl_s: 60 });
    const ann = await server.connect("brief", "ann");
    await ann.nextOfType("system");

    clock.tick(50_000);
    await server.roomd.janitor.sweep();
    assert.equal(await exists(server, "unvisited"), false, "60 s after creation, never joined");
    assert.ok(await exists(server, "brief"), "occupied");

    await ann.close();
    await until(
      async () => (await server.store.getRoom("brief"))?.empty_since != null,
      "brief to be empty",
    );
    clock.tick(59_999);
    await server.roomd.janitor.sweep();
    assert.ok(await exists(server, "brief"), "59.999 s empty");

    clock.tick(1);
    await server.roomd.janitor.sweep();
    assert.equal(await exists(server, "brief"), false);
  } finally {
    clock.uninstall();
    await server.close();
  }
});

Deno.test("an occupied room is never cleaned up, and a join resets its empty time", async () => {
  const clock = fakeDate();
  const server = await startServer({ ROOMD_EMPTY_ROOM_TTL_S: "300" });
  let ann: TestClient | undefined;
  try {
    await visit(server, "busy");
    clock.tick(200_000);
    ann = await server.connect("busy", "ann");
    await ann.nextOfType("system");
    assert.equal((await server.store.getRoom("busy"))?.empty_since, null);

    clock.tick(3_000_000);
    await server.roomd.janitor.sweep();
    assert.ok(await exists(server, "busy"));
    ann.send({ type: "chat", data: { text: "still here" }, ref: "r" });
    assert.equal((await ann.nextOfType("ack")).ref, "r");
    await ann.close();
  } finally {
    clock.uninstall();
    await ann?.close();
    await server.close();
  }
});

Deno.test("1,000 rooms opened and emptied leave no room running, and expire from the store", async () => {
  const clock = fakeDate();
  const server = await startServer({ ROOMD_STORE: "memory", ROOMD_EMPTY_ROOM_TTL_S: "300" });
  try {
    const batch = 100;
    for (let start = 0; start < 1000; start += batch) {
      const clients = await Promise.all(
        Array.from({ length: batch }, (_, i) => server.connect(`r-${start + i}`, `user-${i}`)),
      );
      await Promise.all(clients.map((client) => client.nextOfType("system")));
      await Promise.all(clients.map((client) => client.close()));
    }
    assert.equal((await server.store.listRooms({ limit: 1000 })).rooms.length, 1000);
    await until(() => server.roomd.registry.size === 0, "every room actor to stop");

    clock.tick(300_000);
    const deleted = await server.roomd.janitor.sweep();
    assert.equal(deleted.length, 1000);
    assert.equal((await server.store.listRooms({ limit: 1000 })).rooms.length, 0);
    await until(
      () => server.roomd.registry.size === 0,
      "the actors started by the sweep to stop",
    );
  } finally {
    clock.uninstall();
    await server.close();
  }
});
