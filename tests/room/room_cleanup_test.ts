import assert from "assert";
import FakeTimers from "@sinonjs/fake-timers";
import type { TestClient } from "../_helpers/client.ts";
import { startServer, type TestServer } from "../_helpers/server.ts";

const ADMIN = { sub: "admin", admin: true };

/**
 * Fakes `Date` only: the server's timers stay real, so sockets and actors run as usual, while
 * "now" moves only when the test ticks the clock.
 */
function fakeDate(): FakeTimers.InstalledClock {
  return FakeTimers.withGlobal(globalThis).install({ toFake: ["Date"], now: Date.now() });
}

/** Polls (on real timers) until `ready` holds; gives up after 2,000 polls. */
async function eventually(what: string, ready: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (await ready()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`Gave up waiting until ${what}`);
}

/** Joins a room and leaves it, then waits until the room is recorded as empty. */
async function visit(server: TestServer, room: string, user = "ann"): Promise<void> {
  const client = await server.connect(room, user);
  await client.nextOfType("system");
  await client.close();
  await eventually(`room ${room} is empty`, async () => {
    return (await server.store.getRoom(room))?.empty_since != null;
  });
}

async function createRoom(server: TestServer, body: Record<string, unknown>): Promise<void> {
  const res = await server.request("/api/rooms", {
    method: "POST",
    user: ADMIN,
    body: JSON.stringify(body),
  });
  assert.equal(res.status, 201);
  await res.body?.cancel();
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
    await eventually("brief is empty", async () => {
      return (await server.store.getRoom("brief"))?.empty_since != null;
    });
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
    await eventually("every room actor has stopped", () => server.roomd.registry.size === 0);

    clock.tick(300_000);
    const deleted = await server.roomd.janitor.sweep();
    assert.equal(deleted.length, 1000);
    assert.equal((await server.store.listRooms({ limit: 1000 })).rooms.length, 0);
    await eventually(
      "the actors started by the sweep stop",
      () => server.roomd.registry.size === 0,
    );
  } finally {
    clock.uninstall();
    await server.close();
  }
});
