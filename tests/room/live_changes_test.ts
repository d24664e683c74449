import assert from "assert";
import { announcesLeave } from "../_helpers/presence.ts";
import type { TestClient } from "../_helpers/client.ts";
import { startServer, type TestServer, upgradeHeaders } from "../_helpers/server.ts";
import { ADMIN, call } from "../http/_room_api.ts";
import { until } from "../_helpers/until.ts";

/** Connects a user and waits for the welcome. */
async function join(server: TestServer, room: string, user: string): Promise<TestClient> {
  const client = await server.connect(room, user);
  await client.nextOfType("system");
  return client;
}

/** Proves a client is still in the room: a chat it sends after the change is acknowledged. */
async function assertStillIn(client: TestClient, ref: string): Promise<void> {
  client.send({ type: "chat", data: { text: "still here" }, ref });
  const ack = await client.next((m) => m.type === "ack" && m.ref === ref);
  assert.equal(typeof ack.id, "number");
}

/** The status and code of a join attempt that must be refused. */
async function refusedJoin(server: TestServer, room: string, user: string) {
  const token = await server.token({ sub: user });
  const res = await fetch(`${server.origin}/ws/${room}?token=${token}`, {
    headers: upgradeHeaders(server.origin),
  });
  assert.notEqual(res.status, 101, `${user} was admitted`);
  return { status: res.status, code: (await res.json()).error.code };
}

Deno.test("making a room private closes non-members with 4403 while members stay", async () => {
  const server = await startServer();
  try {
    assert.equal((await call(server, "POST", "/api/rooms", ADMIN, { id: "club" })).status, 201);
    const ann = await join(server, "club", "ann");
    const bob = await join(server, "club", "bob");
    const bob2 = await join(server, "club", "bob");
    const cy = await join(server, "club", "cy");

    const res = await call(server, "PATCH", "/api/rooms/club", ADMIN, {
      is_private: true,
      members: ["ann", "cy"],
    });
    assert.equal(res.status, 200);
    assert.equal(res.body?.is_private, true);

    assert.deepEqual(await bob.waitClosed(), { code: 4403, reason: "removed from room" });
    assert.equal((await bob2.waitClosed()).code, 4403);
    await ann.next((m) => announcesLeave(m, "bob"));
    await assertStillIn(ann, "a1");
    await assertStillIn(cy, "c1");
    assert.equal((await refusedJoin(server, "club", "bob")).status, 403);
    const after = await call(server, "GET", "/api/rooms/club", ADMIN);
    assert.equal(after.body?.members_online, 2);
    assert.equal(after.body?.connections, 2);
    await Promise.all([ann.close(), cy.close()]);
  } finally {
    await server.close();
  }
});

Deno.test("removing a member of a private room closes that member's sockets with 4403", async () => {
  const server = await startServer();
  try {
    await call(server, "POST", "/api/rooms", ADMIN, {
      id: "vault",
      is_private: true,
      members: ["ann", "bob"],
    });
    const ann = await join(server, "vault", "ann");
    const bob = await join(server, "vault", "bob");
    const admin = await server.connect("vault", ADMIN);
    await admin.nextOfType("system");

    assert.equal(
      (await call(server, "PATCH", "/api/rooms/vault", ADMIN, { members: ["ann"] })).status,
      200,
    );
    assert.equal((await bob.waitClosed()).code, 4403);
    await assertStillIn(ann, "a1");
    await assertStillIn(admin, "x1");
    await Promise.all([ann.close(), admin.close()]);
  } finally {
    await server.close();
  }
});

Deno.test("lowering capacity kicks nobody but blocks new joins until the room is under the limit", async () => {
  const server = await startServer();
  try {
    await call(server, "POST", "/api/rooms", ADMIN, { id: "den", max_clients: 5 });
    const ann = await join(server, "den", "ann");
    const bob = await join(server, "den", "bob");
    const cy = await join(server, "den", "cy");

    assert.equal(
      (await call(server, "PATCH", "/api/rooms/den", ADMIN, { max_clients: 2 })).body?.max_clients,
      2,
    );
    await assertStillIn(ann, "a1");
    await assertStillIn(bob, "b1");
    await assertStillIn(cy, "c1");
    assert.equal((await call(server, "GET", "/api/rooms/den", ADMIN)).body?.connections, 3);
    assert.deepEqual(await refusedJoin(server, "den", "dan"), { status: 409, code: "room_full" });

    await cy.close();
    // cy's join and leave may fall in one presence tick and cancel out: ask the API instead.
    await until(
      async () => (await call(server, "GET", "/api/rooms/den", ADMIN)).body?.connections === 2,
      "cy's departure",
    );
    assert.deepEqual(await refusedJoin(server, "den", "dan"), { status: 409, code: "room_full" });

    await bob.close();
    await ann.next((m) => announcesLeave(m, "bob"));
    const dan = await join(server, "den", "dan");
    await Promise.all([ann.close(), dan.close()]);
  } finally {
    await server.close();
  }
});

Deno.test("deleting a room closes its sockets with 4403 and removes its history", async () => {
  const server = await startServer();
  try {
    await call(server, "POST", "/api/rooms", ADMIN, { id: "doomed" });
    const ann = await join(server, "doomed", "ann");
    const bob = await join(server, "doomed", "bob");
    for (const ref of ["m1", "m2", "m3"]) await assertStillIn(ann, ref);
    const before = await server.store.readMessages("doomed", { limit: 100 });
    assert.equal(before.messages.length, 3);

    assert.equal((await call(server, "DELETE", "/api/rooms/doomed", ADMIN)).status, 204);
    assert.deepEqual(await ann.waitClosed(), { code: 4403, reason: "room deleted" });
    assert.deepEqual(await bob.waitClosed(), { code: 4403, reason: "room deleted" });

    const after = await server.store.readMessages("doomed", { limit: 100 });
    assert.deepEqual(after.messages, []);
    assert.equal(await server.store.getRoom("doomed"), null);
    assert.equal((await call(server, "GET", "/api/rooms/doomed", ADMIN)).status, 404);

    const again = await server.connect("doomed", "cy");
    const welcome = await again.nextOfType("system");
    assert.equal(welcome.data.last_id, 0);
    assert.equal((await server.store.getRoom("doomed"))?.origin, "auto");
    await again.close();
  } finally {
    await server.close();
  }
});

Deno.test("a welcome after a change shows the room's new name, metadata and capacity", async () => {
  const server = await startServer();
  try {
    const created = await call(server, "POST", "/api/rooms", ADMIN, { id: "stage", name: "Stage" });
    assert.equal(created.status, 201);
    const ann = await server.connect("stage", "ann");
    assert.equal((await ann.nextOfType("system")).data.room.name, "Stage");
    const res = await call(server, "PATCH", "/api/rooms/stage", ADMIN, {
      name: "Main stage",
      metadata: { topic: "keynote" },
      max_clients: 50,
    });
    assert.equal(res.status, 200);
    const bob = await server.connect("stage", "bob");
    const { data } = await bob.nextOfType("system");
    assert.deepEqual(data.room, {
      id: "stage",
      name: "Main stage",
      metadata: { topic: "keynote" },
      max_clients: 50,
      is_private: false,
    });
    assert.deepEqual(data.members.map((m: { id: string }) => m.id), ["ann", "bob"]);
    await Promise.all([ann.close(), bob.close()]);
  } finally {
    await server.close();
  }
});
