import assert from "assert";
import { startServer } from "../_helpers/server.ts";

Deno.test("two users chat in a room while a third in another room sees nothing", async () => {
  const server = await startServer();
  try {
    const alice = await server.connect("lobby", { sub: "1", name: "alice" });
    const welcomeA = await alice.nextOfType("system");
    assert.equal(welcomeA.data.event, "welcome");
    assert.deepEqual(welcomeA.data.members, [{ id: "1", name: "alice" }]);
    assert.equal(welcomeA.data.last_id, 0);

    const bob = await server.connect("lobby", { sub: "2", name: "bob" });
    const welcomeB = await bob.nextOfType("system");
    assert.equal(welcomeB.data.members.length, 2);
    const joined = await alice.nextOfType("presence");
    assert.deepEqual(joined.data.joins.at(-1), { id: "2", name: "bob" });
    assert.equal(joined.data.count, 2);

    const carol = await server.connect("elsewhere", { sub: "3", name: "carol" });
    await carol.nextOfType("system");

    alice.send({ type: "chat", data: { text: " hi bob " }, ref: "c1" });
    const ack = await alice.nextOfType("ack");
    assert.equal(ack.ref, "c1");
    assert.equal(ack.id, 1);
    const got = await bob.nextOfType("chat");
    assert.equal(got.id, 1);
    assert.equal(got.room_id, "lobby");
    assert.equal(got.user_id, "1");
    assert.deepEqual(got.data, { text: "hi bob" });
    assert.ok(!Number.isNaN(Date.parse(got.timestamp)));

    bob.send({ type: "chat", data: { text: "hello" } });
    assert.equal((await alice.nextOfType("chat")).id, 2);

    await bob.close();
    const left = await alice.nextOfType("presence");
    assert.deepEqual(left.data, {
      joins: [],
      leaves: [{ id: "2", name: "bob" }],
      count: 1,
      action: "leave",
      user: { id: "2", name: "bob" },
    });
    assert.equal(left.user_id, "2");
    assert.equal(carol.received.filter((m) => m.type !== "system").length, 0);
    await alice.close();
    await carol.close();
  } finally {
    await server.close();
  }
});
