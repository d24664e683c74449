import assert from "assert";
import type { TestClient } from "../_helpers/client.ts";
import { startServer, type TestServer } from "../_helpers/server.ts";
import { ADMIN, call, errorOf } from "./_room_api.ts";

async function join(server: TestServer, user: string): Promise<TestClient> {
  const client = await server.connect("crowd", { sub: user, name: `name ${user}` });
  await client.nextOfType("system");
  return client;
}

const ids = (members: { id: string }[]) => members.map((m) => m.id);

Deno.test("the welcome lists ROOMD_WELCOME_MEMBERS members with count and cursor, and members requests page the rest", async () => {
  const server = await startServer({ ROOMD_WELCOME_MEMBERS: "2" });
  const clients: TestClient[] = [];
  try {
    for (const user of ["u0", "u1", "u2", "u3", "u4"]) clients.push(await join(server, user));
    const reader = await server.connect("crowd", { sub: "reader", name: "Reader" });
    clients.push(reader);
    const welcome = (await reader.nextOfType("system")).data;
    assert.deepEqual(welcome.members, [{ id: "u0", name: "name u0" }, {
      id: "u1",
      name: "name u1",
    }]);
    assert.equal(welcome.count, 6);
    assert.equal(typeof welcome.cursor, "string");

    reader.send({ type: "members", data: { cursor: welcome.cursor, limit: 2 }, ref: "m1" });
    const page = await reader.nextOfType("members");
    assert.equal(page.ref, "m1");
    assert.deepEqual(ids(page.data.members), ["u2", "u3"]);
    assert.equal(page.data.count, 6);

    reader.send({ type: "members", data: { cursor: page.data.cursor }, ref: "m2" });
    const last = await reader.nextOfType("members");
    assert.deepEqual(last.data, {
      members: [{ id: "u4", name: "name u4" }, { id: "reader", name: "Reader" }],
      count: 6,
      cursor: null,
    });

    reader.send({ type: "members", data: {}, ref: "m3" });
    assert.deepEqual(ids((await reader.nextOfType("members")).data.members), [
      "u0",
      "u1",
      "u2",
      "u3",
      "u4",
      "reader",
    ]);
    for (const data of [{ limit: 0 }, { limit: 201 }, { cursor: 5 }, { cursor: "x.1" }]) {
      reader.send({ type: "members", data, ref: "bad" });
      const error = await reader.nextOfType("error");
      assert.equal(error.ref, "bad");
      assert.equal(error.data.code, "invalid_message", JSON.stringify(data));
    }
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    await server.close();
  }
});

Deno.test("GET /api/rooms/:id/members pages by cursor in join order, each member present throughout listed once", async () => {
  const server = await startServer();
  const clients = new Map<string, TestClient>();
  try {
    for (let i = 0; i < 7; i++) clients.set(`u${i}`, await join(server, `u${i}`));
    const first = await call(server, "GET", "/api/rooms/crowd/members?limit=3", ADMIN);
    assert.equal(first.status, 200);
    assert.equal(first.body?.count, 7);
    const page1 = first.body?.members as { id: string; connections: number; joined_at: string }[];
    assert.deepEqual(ids(page1), ["u0", "u1", "u2"]);
    assert.ok(page1.every((m) => m.connections === 1 && !Number.isNaN(Date.parse(m.joined_at))));

    await clients.get("u1")!.close();
    await clients.get("u4")!.close();
    clients.delete("u1");
    clients.delete("u4");
    clients.set("late", await join(server, "late"));
    const seen = ids(page1);
    let cursor = first.body?.next_cursor as string | null;
    while (cursor !== null) {
      const res = await call(
        server,
        "GET",
        `/api/rooms/crowd/members?limit=3&cursor=${encodeURIComponent(cursor)}`,
        ADMIN,
      );
      assert.equal(res.status, 200);
      seen.push(...ids(res.body?.members as { id: string }[]));
      cursor = res.body?.next_cursor as string | null;
    }
    // u4 left before its page was read; the newcomer comes last.
    assert.deepEqual(seen, ["u0", "u1", "u2", "u3", "u5", "u6", "late"]);

    const stale = await call(server, "GET", "/api/rooms/crowd/members?cursor=abc.1", ADMIN);
    assert.equal(stale.status, 400);
    assert.equal(errorOf(stale.body).code, "invalid_query");
    const tooMany = await call(server, "GET", "/api/rooms/crowd/members?limit=1001", ADMIN);
    assert.equal(tooMany.status, 400);
    assert.match(errorOf(tooMany.body).message, /^Invalid query: limit: /);
  } finally {
    await Promise.all([...clients.values()].map((c) => c.close()));
    await server.close();
  }
});
