import assert from "assert";
import type { Room } from "../../src/room/room.ts";
import { type FailingStore, failingStore } from "../_fakes/failing_store.ts";
import { type RoomKit, roomKit } from "../_fakes/room_kit.ts";

async function join(kit: RoomKit, room: Room, userId: string) {
  const { connection, socket } = kit.connection(room.id, userId);
  const admitted = await room.admit(connection.principal, connection.id);
  assert.ok(admitted.ok);
  room.attach(connection);
  await room.idle();
  return { connection, socket };
}

const chats = (socket: { messages(): Record<string, unknown>[] }) =>
  socket.messages().filter((m) => m.type === "chat");
const acks = (socket: { messages(): Record<string, unknown>[] }) =>
  socket.messages().filter((m) => m.type === "ack");

Deno.test("a persisted message reaches the others only once committed, in id order, ids consecutive", async () => {
  const kit = roomKit();
  try {
    const room = kit.registry.open("r");
    const sender = await join(kit, room, "ana");
    const listener = await join(kit, room, "bo");
    for (let i = 1; i <= 3; i++) {
      room.publish(sender.connection, "chat", { text: `m${i}` }, true, `r${i}`);
    }
    await room.idle();
    assert.deepEqual(chats(listener.socket), [], "nothing before the commit");
    assert.deepEqual(acks(sender.socket), []);
    await kit.delivered(room);
    assert.deepEqual(chats(listener.socket).map((m) => [m.id, (m.data as { text: string }).text]), [
      [1, "m1"],
      [2, "m2"],
      [3, "m3"],
    ]);
    assert.deepEqual(acks(sender.socket).map((m) => [m.ref, m.id]), [["r1", 1], ["r2", 2], [
      "r3",
      3,
    ]]);
    assert.deepEqual(chats(sender.socket), [], "the sender gets its ack, not a copy");
  } finally {
    await kit.close();
  }
});

Deno.test("a message whose write fails reaches nobody, its sender gets unavailable, the room stays up", async () => {
  let disk!: FailingStore;
  const kit = roomKit({}, (store) => (disk = failingStore(store)).store);
  try {
    const room = kit.registry.open("r");
    const sender = await join(kit, room, "ana");
    const listener = await join(kit, room, "bo");
    disk.full = true;
    room.publish(sender.connection, "chat", { text: "lost" }, true, "r1");
    room.publish(sender.connection, "typing", { on: true }, false, "t1");
    await kit.delivered(room);
    assert.deepEqual(chats(listener.socket), [], "a message that was not stored reaches nobody");
    assert.ok(
      listener.socket.messages().some((m) => m.type === "typing"),
      "ephemeral types go out",
    );
    const error = sender.socket.messages().find((m) => m.type === "error");
    assert.equal(error?.ref, "r1");
    assert.equal((error?.data as { code: string }).code, "unavailable");
    assert.ok(kit.ctx.broker.failure, "the broker reports the failure");
    assert.equal(sender.socket.closeCode, null);
    assert.equal(listener.socket.closeCode, null);
    assert.equal(room.stopped, false);

    disk.full = false;
    room.publish(sender.connection, "chat", { text: "kept" }, true, "r2");
    await kit.delivered(room);
    assert.deepEqual(chats(listener.socket).map((m) => m.id), [1], "the failed write used no id");
    assert.deepEqual(acks(sender.socket).filter((a) => a.ref === "r2").map((a) => a.id), [1]);
    assert.equal(kit.ctx.broker.failure, null);
  } finally {
    await kit.close();
  }
});

Deno.test("a repeated cid publishes nothing and its sender gets the original ack under its own ref", async () => {
  const kit = roomKit();
  try {
    const room = kit.registry.open("r");
    const ana = await join(kit, room, "ana");
    const bo = await join(kit, room, "bo");
    room.publish(ana.connection, "chat", { text: "once" }, true, "first", "m1");
    await kit.delivered(room);
    room.publish(ana.connection, "chat", { text: "once" }, true, "retry", "m1");
    room.publish(bo.connection, "chat", { text: "mine" }, true, "other-user", "m1");
    await kit.delivered(room);
    const [first, retry] = acks(ana.socket);
    assert.deepEqual([first.ref, first.id], ["first", 1]);
    assert.deepEqual([retry.ref, retry.id, retry.timestamp], ["retry", 1, first.timestamp]);
    assert.deepEqual(chats(bo.socket).map((m) => m.id), [1], "the repeat was not published");
    assert.deepEqual(chats(ana.socket).map((m) => m.id), [2], "another user's cid is its own");
    const history = await room.readHistory({ limit: 10 });
    assert.deepEqual(history.messages.map((m) => m.id), [1, 2]);
  } finally {
    await kit.close();
  }
});

Deno.test("ids continue at the last stored id + 1 when a room reloads", async () => {
  const kit = roomKit();
  try {
    let room = kit.registry.open("r");
    const first = await join(kit, room, "ana");
    room.publish(first.connection, "chat", { text: "a" }, true);
    room.publish(first.connection, "chat", { text: "b" }, true);
    await kit.delivered(room);
    room.leave(first.connection.id);
    while (!room.stopped) await new Promise((resolve) => setTimeout(resolve, 1));
    room = kit.registry.open("r");
    const again = await join(kit, room, "ana");
    assert.equal(again.socket.messages()[0].data.last_id, 2);
    room.publish(again.connection, "chat", { text: "c" }, true, "c");
    await kit.delivered(room);
    assert.deepEqual(acks(again.socket).map((a) => a.id), [3]);
  } finally {
    await kit.close();
  }
});

Deno.test("a resuming client gets each message once while messages are committed during its join", async () => {
  const kit = roomKit();
  try {
    const room = kit.registry.open("r");
    const sender = await join(kit, room, "ana");
    room.publish(sender.connection, "chat", { text: "before" }, true);
    await kit.delivered(room);
    const { connection, socket } = kit.connection("r", "bo");
    assert.ok((await room.admit(connection.principal, connection.id)).ok);
    room.publish(sender.connection, "chat", { text: "in flight" }, true);
    await room.idle();
    room.attach(connection, { since: 0 });
    // Committed while the join runs: in history before its delivery task runs.
    await kit.ctx.broker.flush();
    room.publish(sender.connection, "chat", { text: "after" }, true);
    await kit.delivered(room);
    assert.deepEqual(chats(socket).map((m) => m.id), [1, 2, 3]);
  } finally {
    await kit.close();
  }
});
