import assert from "assert";
import { rootLogger } from "../../src/log.ts";
import { RedisControl } from "../../src/redis/redis_control.ts";
import { RedisKeys } from "../../src/redis/keys.ts";
import { RedisLink } from "../../src/redis/redis_link.ts";
import { RedisPresence } from "../../src/redis/redis_presence.ts";
import { RoomBus } from "../../src/redis/room_bus.ts";
import { newRoomRecord } from "../../src/room/new_room.ts";
import { RoomRegistry } from "../../src/room/registry.ts";
import type { Room } from "../../src/room/room.ts";
import { CloseCode } from "../../src/ws/close_codes.ts";
import { roomKit } from "../_fakes/room_kit.ts";
import { announcesJoin, announcesLeave } from "../_helpers/presence.ts";
import { REDIS_IGNORE, startRedis } from "../_helpers/redis_server.ts";
import { until } from "../_helpers/until.ts";

const log = rootLogger().getChild("test");

/** Room actors on two nodes whose Presence and Room control are Redis (the kit's store shared). */
async function twoNodes(entryTtlMs = 30_000) {
  const redis = await startRedis();
  const kit = roomKit({ ROOMD_PRESENCE_TICK_MS: "5" });
  const keys = new RedisKeys("t:");
  const links = [0, 1].map(() => new RedisLink({ urls: [redis.url], cluster: false, log }));
  await until(() => links.every((link) => link.failure === null), "the links ready");
  const [a, b] = links.map((link, i) => {
    const bus = new RoomBus(link, keys);
    return new RoomRegistry({
      ...kit.ctx,
      presence: new RedisPresence(link, bus, keys, `node-${i}`, {
        entryTtlMs,
        reservationTtlMs: 10_000,
      }),
      control: new RedisControl(bus, `node-${i}`),
    });
  });
  return {
    kit,
    a,
    b,
    async close() {
      for (const registry of [a, b]) {
        for (const room of registry.rooms()) room.halt();
      }
      await kit.close();
      await Promise.all(links.map((link) => link.close()));
      await redis.stop();
    },
  };
}

async function join(kit: ReturnType<typeof roomKit>, room: Room, userId: string) {
  const { connection, socket } = kit.connection(room.id, userId);
  const admitted = await room.admit(connection.principal, connection.id);
  assert.ok(admitted.ok);
  room.attach(connection);
  await room.idle();
  return { connection, socket };
}

Deno.test({
  name: "Rooms over Redis: a user on another node is announced, and when that node dies its " +
    "user's leave is announced once within the TTL",
  ignore: REDIS_IGNORE,
  async fn() {
    const nodes = await twoNodes(300);
    try {
      // A room without members stops at once (no grace): open each just before joining it.
      const a = nodes.a.open("lobby");
      const watcher = await join(nodes.kit, a, "wes");
      const b = nodes.b.open("lobby");
      await join(nodes.kit, b, "ana");
      const presence = () => watcher.socket.messages().filter((m) => m.type === "presence");
      await until(() => presence().some((m) => announcesJoin(m, "ana")), "ana's join on node a");
      b.halt();
      await until(() => presence().some((m) => announcesLeave(m, "ana")), "ana's leave");
      const page = await a.members(undefined, 10);
      assert.ok(typeof page === "object");
      assert.deepEqual(page.members.map((m) => m.id), ["wes"]);
      await new Promise((resolve) => setTimeout(resolve, 400));
      assert.equal(presence().filter((m) => announcesLeave(m, "ana")).length, 1);
    } finally {
      await nodes.close();
    }
  },
});

Deno.test({
  name: "Rooms over Redis: 50 concurrent joins over two nodes on a room of 10 admit exactly 10",
  ignore: REDIS_IGNORE,
  async fn() {
    const nodes = await twoNodes();
    try {
      const a = nodes.a.open("lobby");
      assert.ok(await a.create(newRoomRecord("lobby", "api", null, 10)));
      const b = nodes.b.open("lobby");
      const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => {
        const { connection } = nodes.kit.connection("lobby", `u${i}`);
        return (i % 2 ? a : b).admit(connection.principal, connection.id);
      }));
      assert.equal(answers.filter((answer) => answer.ok).length, 10);
      assert.ok(answers.every((answer) => answer.ok || answer.code === "room_full"));
    } finally {
      await nodes.close();
    }
  },
});

Deno.test({
  name: "Rooms over Redis: deleting a room on one node closes its members on the other with 4403",
  ignore: REDIS_IGNORE,
  async fn() {
    const nodes = await twoNodes();
    try {
      const a = nodes.a.open("lobby");
      await join(nodes.kit, a, "ana");
      const b = nodes.b.open("lobby");
      const remote = await join(nodes.kit, b, "bo");
      assert.equal(await a.delete(), true);
      await until(() => remote.socket.closeCode !== null, "bo's socket to close");
      assert.equal(remote.socket.closeCode, CloseCode.removed);
    } finally {
      await nodes.close();
    }
  },
});
