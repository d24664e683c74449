import assert from "assert";
import type { Room } from "../../src/room/room.ts";
import { newRoomRecord } from "../../src/room/new_room.ts";
import { CloseCode } from "../../src/ws/close_codes.ts";
import { roomKit } from "../_fakes/room_kit.ts";
import { until } from "../_helpers/until.ts";
import { announcesJoin, announcesLeave } from "../_helpers/presence.ts";

async function join(kit: ReturnType<typeof roomKit>, room: Room, userId: string) {
  const { connection, socket } = kit.connection(room.id, userId);
  const admitted = await room.admit(connection.principal, connection.id);
  assert.ok(admitted.ok);
  room.attach(connection);
  await room.idle();
  return { connection, socket };
}

Deno.test("A message published on one node reaches the room's members on another node, and its sender only the ack", async () => {
  const kit = roomKit();
  try {
    const [a, b] = [kit.registry.open("lobby"), kit.node("node-b").open("lobby")];
    const sender = await join(kit, a, "ana");
    const neighbour = await join(kit, a, "cy");
    const remote = await join(kit, b, "bo");
    for (let i = 0; i < 3; i++) {
      a.publish(sender.connection, "chat", { text: `${i}` }, true, `r${i}`);
    }
    b.publish(remote.connection, "chat", { text: "from b" }, true, "rb");
    await kit.delivered(a);
    await kit.delivered(b);
    const chats = (socket: typeof sender.socket) =>
      socket.messages().filter((m) => m.type === "chat").map((m) => m.id);
    // Which node's writes come first is up to the scheduler; ids are consecutive either way.
    assert.deepEqual(chats(neighbour.socket), [1, 2, 3, 4]);
    const fromB = neighbour.socket.messages().find((m) => m.data?.text === "from b")!.id;
    const fromA = [1, 2, 3, 4].filter((id) => id !== fromB);
    assert.deepEqual(chats(remote.socket), fromA);
    assert.deepEqual(chats(sender.socket), [fromB], "its own messages come back as acks only");
    const acks = sender.socket.messages().filter((m) => m.type === "ack").map((m) => m.id);
    assert.deepEqual(acks, fromA);
  } finally {
    await kit.close();
  }
});

Deno.test("Making a room private on one node closes its non-members on another node with 4403", async () => {
  const kit = roomKit();
  try {
    const [a, b] = [kit.registry.open("lobby"), kit.node("node-b").open("lobby")];
    await join(kit, a, "ana");
    const kept = await join(kit, b, "bo");
    const revoked = await join(kit, b, "cy");
    const updated = await a.update({ is_private: true, members: ["ana", "bo"] });
    assert.equal(updated?.room.is_private, true);
    await until(() => revoked.socket.closeCode !== null, "cy's socket to close");
    assert.equal(revoked.socket.closeCode, CloseCode.removed);
    assert.equal(kept.socket.closeCode, null);
  } finally {
    await kit.close();
  }
});

Deno.test("Deleting a room on one node closes its members on another node with 4403", async () => {
  const kit = roomKit();
  try {
    const [a, b] = [kit.registry.open("lobby"), kit.node("node-b").open("lobby")];
    await join(kit, a, "ana");
    const remote = await join(kit, b, "bo");
    assert.equal(await a.delete(), true);
    await until(() => remote.socket.closeCode !== null, "bo's socket to close");
    assert.equal(remote.socket.closeCode, CloseCode.removed);
  } finally {
    await kit.close();
  }
});

Deno.test("50 concurrent joins over two nodes on a room of 10 admit exactly 10", async () => {
  const kit = roomKit();
  try {
    const a = kit.registry.open("lobby");
    assert.ok(await a.create(newRoomRecord("lobby", "api", null, 10)));
    const b = kit.node("node-b").open("lobby");
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => {
      const room = i % 2 ? a : b;
      const { connection } = kit.connection("lobby", `u${i}`);
      return room.admit(connection.principal, connection.id);
    }));
    assert.equal(answers.filter((answer) => answer.ok).length, 10);
    assert.ok(answers.every((answer) => answer.ok || answer.code === "room_full"));
  } finally {
    await kit.close();
  }
});

Deno.test("A user connected on two nodes is one member, counted and listed on both", async () => {
  const kit = roomKit();
  try {
    const [a, b] = [kit.registry.open("lobby"), kit.node("node-b").open("lobby")];
    await join(kit, a, "ana");
    await join(kit, b, "ana");
    await join(kit, b, "bo");
    const page = await a.members(undefined, 10);
    assert.ok(typeof page === "object");
    assert.deepEqual(page.members.map((m) => [m.id, m.connections]), [["ana", 2], ["bo", 1]]);
    const snapshot = await b.snapshot();
    assert.deepEqual([snapshot?.members, snapshot?.connections], [2, 3]);
  } finally {
    await kit.close();
  }
});

Deno.test("A user's first join and last leave on one node are announced to the members on another", async () => {
  const kit = roomKit({ ROOMD_PRESENCE_TICK_MS: "5" });
  try {
    const [a, b] = [kit.registry.open("lobby"), kit.node("node-b").open("lobby")];
    const watcher = await join(kit, a, "wes");
    const ana = await join(kit, b, "ana");
    const presence = () => watcher.socket.messages().filter((m) => m.type === "presence");
    await until(() => presence().some((m) => announcesJoin(m, "ana")), "ana's join on node a");
    b.leave(ana.connection.id);
    await until(() => presence().some((m) => announcesLeave(m, "ana")), "ana's leave on node a");
  } finally {
    await kit.close();
  }
});

Deno.test("A room's actor refreshes its node's presence entries, so they outlive the TTL while connected", async () => {
  const kit = roomKit({}, undefined, { entryTtlMs: 90 });
  try {
    const room = kit.registry.open("lobby");
    await join(kit, room, "ana");
    await new Promise((resolve) => setTimeout(resolve, 300));
    const page = await room.members(undefined, 10);
    assert.ok(typeof page === "object");
    assert.deepEqual(page.members.map((m) => m.id), ["ana"]);
  } finally {
    kit.registry.peek("lobby")?.halt();
    await kit.close();
  }
});
