import assert from "assert";
import { announcesJoin } from "../_helpers/presence.ts";
import type { TestClient } from "../_helpers/client.ts";
import { startServer, type TestServer } from "../_helpers/server.ts";
import { ADMIN, call, errorOf } from "./_room_api.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function join(server: TestServer, room: string, user: string): Promise<TestClient> {
  const client = await server.connect(room, { sub: user, name: user.toUpperCase() });
  await client.nextOfType("system");
  return client;
}

Deno.test("a tick with one join or one leave keeps action, user and user_id beside joins, leaves and count", async () => {
  const server = await startServer({ ROOMD_PRESENCE_TICK_MS: "10" });
  try {
    const ann = await join(server, "hall", "ann");
    const bob = await join(server, "hall", "bob");
    // Once ann hears of bob, every earlier event has gone out: cy's join is alone in its tick.
    await ann.next((m) => announcesJoin(m, "bob"));
    const cy = await join(server, "hall", "cy");
    const joined = await ann.nextOfType("presence");
    assert.equal(joined.user_id, "cy");
    assert.equal(joined.room_id, "hall");
    assert.deepEqual(joined.data, {
      joins: [{ id: "cy", name: "CY" }],
      leaves: [],
      count: 3,
      action: "join",
      user: { id: "cy", name: "CY" },
    });
    await cy.close();
    const left = await ann.nextOfType("presence");
    assert.equal(left.user_id, "cy");
    assert.deepEqual(left.data, {
      joins: [],
      leaves: [{ id: "cy", name: "CY" }],
      count: 2,
      action: "leave",
      user: { id: "cy", name: "CY" },
    });
    assert.equal(cy.received.filter((m) => m.type === "presence").length, 0);
    await Promise.all([ann.close(), bob.close()]);
  } finally {
    await server.close();
  }
});

Deno.test("joins within one tick reach a member as one frame listing them all, with the count", async () => {
  const server = await startServer({ ROOMD_PRESENCE_TICK_MS: "3000" });
  try {
    const ann = await join(server, "hall", "ann");
    const [bob, cy] = await Promise.all([join(server, "hall", "bob"), join(server, "hall", "cy")]);
    const frame = await ann.nextOfType("presence", 10_000);
    assert.equal(frame.user_id, null);
    assert.deepEqual(
      frame.data.joins.map((u: { id: string }) => u.id).filter((id: string) => id !== "ann")
        .sort(),
      ["bob", "cy"],
    );
    assert.deepEqual(frame.data.leaves, []);
    assert.equal(frame.data.count, 3);
    assert.ok(!("action" in frame.data) && !("user" in frame.data));
    for (const client of [bob, cy]) {
      const got = await client.nextOfType("presence", 10_000);
      assert.deepEqual(got, frame);
    }
    await Promise.all([ann.close(), bob.close(), cy.close()]);
  } finally {
    await server.close();
  }
});

Deno.test("presence mode count sends the count only and off sends nothing, while welcome and API counts stay exact", async () => {
  const server = await startServer({ ROOMD_PRESENCE_TICK_MS: "10" });
  try {
    const created = await call(server, "POST", "/api/rooms", ADMIN, {
      id: "stage",
      presence: "count",
    });
    assert.equal(created.status, 201);
    assert.equal(created.body?.presence, "count");
    const ann = await join(server, "stage", "ann");
    await join(server, "stage", "bob");
    const counted = await ann.next((m) => m.type === "presence" && m.data.count === 2);
    assert.deepEqual(counted.data, { count: 2 });
    assert.equal(counted.user_id, null);
    const frames = ann.received.filter((m) => m.type === "presence");
    assert.ok(frames.every((m) => Object.keys(m.data).join() === "count"));

    const patched = await call(server, "PATCH", "/api/rooms/stage", ADMIN, { presence: "off" });
    assert.equal(patched.body?.presence, "off");
    const cy = await server.connect("stage", { sub: "cy" });
    const welcome = await cy.nextOfType("system");
    assert.equal(welcome.data.count, 3);
    await sleep(200); // longer than a tick: a presence frame would be sent by now
    cy.send({ type: "chat", data: { text: "after the tick" } });
    await ann.nextOfType("chat");
    assert.equal(ann.received.filter((m) => m.type === "presence").length, frames.length);
    const room = await call(server, "GET", "/api/rooms/stage", ADMIN);
    assert.equal(room.body?.presence, "off");
    assert.equal(room.body?.members_online, 3);
    assert.equal((await call(server, "GET", "/api/rooms/stage/members", ADMIN)).body?.count, 3);

    const bad = await call(server, "PATCH", "/api/rooms/stage", ADMIN, { presence: "loud" });
    assert.equal(bad.status, 400);
    assert.match(errorOf(bad.body).message, /^Invalid body: presence: /);
    await Promise.all([ann.close(), cy.close()]);
  } finally {
    await server.close();
  }
});
