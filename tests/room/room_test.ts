import assert from "assert";
import type { Room } from "../../src/room/room.ts";
import { roomKit } from "../_fakes/room_kit.ts";
import { until } from "../_helpers/until.ts";
import { announcesJoin, announcesLeave } from "../_helpers/presence.ts";

async function join(kit: ReturnType<typeof roomKit>, room: Room, userId: string) {
  const { connection, socket } = kit.connection(room.id, userId);
  const admitted = await room.admit(connection.principal, connection.id);
  assert.ok(admitted.ok);
  room.attach(connection);
  return { connection, socket };
}

Deno.test("Room keeps ids strictly increasing and gap-free for every member under concurrent joins and broadcasts", async () => {
  const kit = roomKit();
  try {
    const room = kit.registry.open("r");
    const publishers = await Promise.all([join(kit, room, "p1"), join(kit, room, "p2")]);
    const joiners: Promise<Awaited<ReturnType<typeof join>>>[] = [];
    for (let i = 0; i < 50; i++) {
      for (const p of publishers) {
        room.publish(p.connection, "chat", { text: `m${i}` }, true, `r${i}`);
      }
      if (i % 5 === 0) joiners.push(join(kit, room, `u${i}`));
    }
    const members = await Promise.all(joiners);
    await room.idle();
    await kit.ctx.broker.flush();
    await room.idle();
    for (const { socket } of members) {
      const messages = socket.messages();
      assert.equal(messages[0].data.event, "welcome");
      const lastSeen = messages[0].data.last_id;
      const ids = messages.filter((m) => m.type === "chat").map((m) => m.id);
      const expected = Array.from({ length: 100 - lastSeen }, (_, k) => lastSeen + 1 + k);
      assert.deepEqual(ids, expected);
    }
    for (const { socket } of publishers) {
      const acks = socket.messages().filter((m) => m.type === "ack");
      assert.equal(acks.length, 50);
      assert.deepEqual(acks.map((a) => a.ref), Array.from({ length: 50 }, (_, i) => `r${i}`));
      const ids = acks.map((a) => a.id);
      assert.ok(ids.every((id, i) => i === 0 || id > ids[i - 1]));
    }
  } finally {
    await kit.close();
  }
});

Deno.test("Room sends presence join on a user's first connection and leave on the last", async () => {
  const kit = roomKit();
  try {
    const room = kit.registry.open("r");
    const watcher = await join(kit, room, "w");
    const first = await join(kit, room, "u");
    const second = await join(kit, room, "u");
    room.leave(first.connection.id);
    const presence = () => watcher.socket.messages().filter((m) => m.type === "presence");
    await until(() => presence().some((m) => announcesJoin(m, "u")), "u's join");
    room.leave(second.connection.id);
    await until(() => presence().some((m) => announcesLeave(m, "u")), "u's leave");
    assert.equal(presence().filter((m) => announcesJoin(m, "u")).length, 1);
    assert.equal(presence().filter((m) => announcesLeave(m, "u")).length, 1);
    assert.equal(presence().at(-1)?.data.count, 1);
    const welcome = second.socket.messages()[0];
    assert.deepEqual(welcome.data.members.map((m: { id: string }) => m.id), ["w", "u"]);
  } finally {
    await kit.close();
  }
});

Deno.test("Room failure closes that room's sockets with 1011 while other rooms carry on", async () => {
  const kit = roomKit();
  const realRead = kit.ctx.store.readMessages.bind(kit.ctx.store);
  kit.ctx.store.readMessages = (roomId, query) => {
    if (roomId === "boom" && query.limit === 7) throw new Error("disk on fire");
    return realRead(roomId, query);
  };
  try {
    const boom = kit.registry.open("boom");
    const calm = kit.registry.open("calm");
    const victim = await join(kit, boom, "a");
    const bystander = await join(kit, calm, "b");
    const listener = await join(kit, calm, "c");
    boom.sendHistory(victim.connection, { limit: 7 });
    await boom.idle();
    assert.equal(victim.socket.closeCode, 1011);
    assert.ok(boom.stopped);
    calm.publish(bystander.connection, "chat", { text: "still here" }, true);
    await kit.delivered(calm);
    assert.equal(listener.socket.messages().at(-1)?.data.text, "still here");
    assert.equal(kit.registry.peek("boom"), undefined);
  } finally {
    await kit.close();
  }
});

Deno.test("Rooms stop when emptied: 1,000 rooms opened and emptied leave none running", async () => {
  const kit = roomKit();
  try {
    const joined = await Promise.all(
      Array.from({ length: 1000 }, (_, i) => join(kit, kit.registry.open(`room-${i}`), `u${i}`)),
    );
    assert.equal(kit.registry.size, 1000);
    for (const { connection } of joined) kit.registry.open(connection.roomId).leave(connection.id);
    await until(() => kit.registry.size === 0, "every room to stop");
  } finally {
    await kit.close();
  }
});
