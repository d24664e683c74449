import assert from "assert";
import { roomKit } from "../_fakes/room_kit.ts";
import { BackloggedSocket, connectionOver } from "../_fakes/backlogged_socket.ts";
import { until } from "../_helpers/until.ts";

const ids = (socket: BackloggedSocket) =>
  socket.received.map((f) => JSON.parse(f)).filter((m) => m.type === "chat").map((m) => m.id);

Deno.test("a resume waits for its client to read, holds live messages meanwhile and sends them after the replay, in id order", async () => {
  const kit = roomKit({ ROOMD_MAX_QUEUE_BYTES: "4096" });
  try {
    const room = kit.registry.open("r");
    const { connection: publisher } = kit.connection("r", "pub");
    assert.ok((await room.admit(publisher.principal, publisher.id)).ok);
    room.attach(publisher);
    const text = "x".repeat(200);
    for (let i = 0; i < 100; i++) room.publish(publisher, "chat", { text }, true, undefined);
    await kit.delivered(room);

    const socket = new BackloggedSocket();
    const reader = connectionOver(socket, { userId: "reader", maxQueueBytes: 4096 });
    assert.ok((await room.admit(reader.principal, reader.id)).ok);
    room.attach(reader, { since: 0 });
    await until(() => ids(socket).length > 0, "the replay to start");
    for (let i = 0; i < 20; i++) room.publish(publisher, "chat", { text }, true, undefined);
    await kit.delivered(room);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const before = ids(socket);
    assert.ok(before.length < 100, "the replay waits while the client does not read");
    assert.deepEqual(before, Array.from({ length: before.length }, (_, i) => i + 1));

    await until(() => {
      socket.drainTo(0);
      return ids(socket).length >= 120;
    }, "every message to arrive");
    assert.deepEqual(ids(socket), Array.from({ length: 120 }, (_, i) => i + 1));
    assert.equal(socket.closeCode, null);
    room.publish(publisher, "chat", { text: "live" }, true, undefined);
    await kit.delivered(room);
    assert.equal(ids(socket).at(-1), 121, "the connection is back on the live stream");
  } finally {
    await kit.close();
  }
});

Deno.test("a resuming client that falls behind by more than the room holds is cut off with 4408", async () => {
  const kit = roomKit({ ROOMD_MAX_QUEUE_BYTES: "4096" });
  try {
    const room = kit.registry.open("r");
    const { connection: publisher } = kit.connection("r", "pub");
    assert.ok((await room.admit(publisher.principal, publisher.id)).ok);
    room.attach(publisher);
    const text = "x".repeat(1000);
    for (let i = 0; i < 20; i++) room.publish(publisher, "chat", { text }, true, undefined);
    await kit.delivered(room);

    const socket = new BackloggedSocket();
    const reader = connectionOver(socket, { userId: "reader", maxQueueBytes: 4096 });
    assert.ok((await room.admit(reader.principal, reader.id)).ok);
    room.attach(reader, { since: 0 });
    await until(() => ids(socket).length > 0, "the replay to start");
    for (let i = 0; i < 1100; i++) room.publish(publisher, "chat", { text }, true, undefined);
    await kit.delivered(room);
    assert.equal(socket.closeCode, 4408);
    assert.ok(ids(socket).length < 20, "the replay was still waiting");
  } finally {
    await kit.close();
  }
});
