import assert from "assert";
import FakeTimers from "@sinonjs/fake-timers";
import { newRoomRecord } from "../../src/room/new_room.ts";
import type { Room } from "../../src/room/room.ts";
import type { FakeSocket } from "../_fakes/fake_socket.ts";
import { roomKit } from "../_fakes/room_kit.ts";

const TICK_MS = 50;

/** A kit whose timers only move when the test ticks the clock. */
function bigRoomKit(env: Record<string, string> = {}) {
  const clock = FakeTimers.withGlobal(globalThis).install({
    toFake: ["setTimeout", "clearTimeout"],
  });
  const kit = roomKit({ ROOMD_PRESENCE_TICK_MS: String(TICK_MS), ...env });
  return {
    kit,
    room: kit.registry.open("big"),
    async join(userId: string) {
      const { connection, socket } = kit.connection("big", userId);
      const admitted = await this.room.admit(connection.principal, connection.id);
      assert.ok(admitted.ok);
      this.room.attach(connection);
      // The welcome waits for the presence engine: let the attach run (no tick passes).
      await this.room.idle();
      return { connection, socket };
    },
    /** Ends the current presence tick and lets its flush run. */
    async endTick(room: Room, ms = TICK_MS) {
      await room.idle();
      clock.tick(ms);
      await room.idle();
    },
    async close() {
      clock.uninstall();
      await kit.close();
    },
  };
}

const presenceOf = (socket: FakeSocket) => socket.messages().filter((m) => m.type === "presence");

Deno.test("1,000 joins within one tick send each existing member one presence frame and every newcomer a bounded welcome", async () => {
  const t = bigRoomKit();
  try {
    const existing = [];
    for (let i = 0; i < 10; i++) existing.push(await t.join(`old${i}`));
    await t.endTick(t.room);
    const before = existing.map(({ socket }) => presenceOf(socket).length);

    const joiners = await Promise.all(Array.from({ length: 1000 }, (_, i) => t.join(`new${i}`)));
    await t.room.idle();
    assert.ok(existing.every(({ socket }, i) => presenceOf(socket).length === before[i]));
    await t.endTick(t.room);

    existing.forEach(({ socket }, i) => {
      const frames = presenceOf(socket).slice(before[i]);
      assert.equal(frames.length, 1);
      assert.equal(frames[0].data.joins.length, 1000);
      assert.deepEqual(frames[0].data.leaves, []);
      assert.equal(frames[0].data.count, 1010);
      assert.equal(frames[0].user_id, null);
      assert.ok(!("action" in frames[0].data));
    });
    let frames = 0;
    for (const { socket } of joiners) {
      assert.ok(presenceOf(socket).length <= 1);
      const welcome = socket.messages()[0].data;
      assert.equal(welcome.event, "welcome");
      assert.ok(welcome.members.length <= 100);
      frames += socket.count;
    }
    assert.ok(frames <= 2 * joiners.length, `${frames} frames for ${joiners.length} joins`);
  } finally {
    await t.close();
  }
});

Deno.test("the welcome lists the first ROOMD_WELCOME_MEMBERS members with the exact count; members pages go on from its cursor while others join and leave", async () => {
  const t = bigRoomKit({ ROOMD_WELCOME_MEMBERS: "3" });
  try {
    const early = [];
    for (let i = 0; i < 8; i++) early.push(await t.join(`u${i}`));
    const reader = await t.join("reader");
    await t.room.idle();
    const welcome = reader.socket.messages()[0].data;
    assert.deepEqual(welcome.members.map((m: { id: string }) => m.id), ["u0", "u1", "u2"]);
    assert.equal(welcome.count, 9);
    assert.equal(typeof welcome.cursor, "string");

    t.room.leave(early[1].connection.id);
    t.room.leave(early[4].connection.id);
    await t.join("late");
    t.room.sendMembers(reader.connection, welcome.cursor, 4, "m1");
    await t.room.idle();
    const page = reader.socket.messages().find((m) => m.type === "members");
    assert.equal(page?.ref, "m1");
    assert.deepEqual(page?.data.members.map((m: { id: string }) => m.id), [
      "u3",
      "u5",
      "u6",
      "u7",
    ]);
    assert.equal(page?.data.count, 8);
    t.room.sendMembers(reader.connection, page?.data.cursor, 4, "m2");
    await t.room.idle();
    const last = reader.socket.messages().find((m) => m.type === "members" && m.ref === "m2");
    assert.deepEqual(last?.data, {
      members: [{ id: "reader", name: "user reader" }, { id: "late", name: "user late" }],
      count: 8,
      cursor: null,
    });

    t.room.sendMembers(reader.connection, "forged.1", 4, "m3");
    await t.room.idle();
    const refused = reader.socket.messages().at(-1);
    assert.equal(refused?.type, "error");
    assert.equal(refused?.ref, "m3");
    assert.equal(refused?.data.code, "invalid_message");

    const details = await t.room.members(undefined, 2);
    assert.ok(typeof details === "object");
    assert.deepEqual(details.members.map((m) => [m.id, m.connections]), [["u0", 1], ["u2", 1]]);
    assert.equal(details.count, 8);
    assert.equal(await t.room.members("forged.1", 2), "bad_cursor");
  } finally {
    await t.close();
  }
});

Deno.test("a member whose welcome listed a user who left within the same tick is told of the leave", async () => {
  const t = bigRoomKit();
  try {
    const old = await t.join("old");
    await t.endTick(t.room);
    const ghost = await t.join("ghost");
    const witness = await t.join("witness");
    assert.ok(
      witness.socket.messages()[0].data.members.some((m: { id: string }) => m.id === "ghost"),
    );
    t.room.leave(ghost.connection.id);
    await t.endTick(t.room);
    for (const { socket } of [old, witness]) {
      const [frame] = presenceOf(socket);
      assert.deepEqual(frame.data.leaves, [{ id: "ghost", name: "user ghost" }]);
      assert.equal(frame.data.count, 2);
    }

    const flash = await t.join("flash");
    t.room.leave(flash.connection.id);
    await t.endTick(t.room);
    assert.equal(presenceOf(old.socket).length, 1, "a join and leave nobody saw cancel out");
  } finally {
    await t.close();
  }
});

Deno.test("presence mode count sends the count only; off sends nothing; both keep the welcome count exact", async () => {
  const t = bigRoomKit();
  try {
    const watcher = await t.join("watcher");
    await t.endTick(t.room);
    await t.room.update({ presence: "count" });
    await t.join("a");
    await t.join("b");
    await t.endTick(t.room);
    assert.deepEqual(presenceOf(watcher.socket).map((m) => [m.user_id, m.data]), [[null, {
      count: 3,
    }]]);

    await t.room.update({ presence: "off" });
    const c = await t.join("c");
    await t.endTick(t.room);
    assert.equal(presenceOf(watcher.socket).length, 1);
    assert.equal(c.socket.messages()[0].data.count, 4);
    assert.equal((await t.room.snapshot())?.members, 4);
  } finally {
    await t.close();
  }
});

Deno.test("a room deleted and created again by its actor goes on announcing presence", async () => {
  const t = bigRoomKit();
  try {
    await t.join("gone");
    await t.endTick(t.room);
    assert.ok(await t.room.delete());
    await t.endTick(t.room);
    const record = newRoomRecord("big", "api", null, 0);
    assert.ok(await t.room.create(record));
    const watcher = await t.join("watcher");
    await t.endTick(t.room);
    await t.join("newcomer");
    await t.endTick(t.room);
    assert.deepEqual(presenceOf(watcher.socket).map((m) => m.data.action), ["join"]);
  } finally {
    await t.close();
  }
});

Deno.test("a count room of more than 1,000 connections announces presence every tick per thousand members; a full room every tick", async () => {
  const t = bigRoomKit();
  try {
    const [first] = await Promise.all(Array.from({ length: 1500 }, (_, i) => t.join(`u${i}`)));
    await t.endTick(t.room);
    await t.room.update({ presence: "count" });
    const before = presenceOf(first.socket).length;

    await t.join("late");
    await t.endTick(t.room);
    assert.equal(presenceOf(first.socket).length, before);
    await t.endTick(t.room);
    assert.deepEqual(presenceOf(first.socket).slice(before).map((m) => m.data), [{ count: 1501 }]);

    await t.room.update({ presence: "full" });
    await t.join("later");
    await t.endTick(t.room);
    const frames = presenceOf(first.socket).slice(before + 1);
    assert.deepEqual(frames.map((m) => m.data.joins.map((u: { id: string }) => u.id)), [["later"]]);
  } finally {
    await t.close();
  }
});
