/**
 * The broadcast path of the real room actor, over fake sockets that only count: chat messages
 * from a member to 1, 100, 1,000 and 10,000 others, against a bare loop sending one
 * pre-serialized string to the same sockets. Each iteration publishes {@linkcode BURST}
 * messages back to back, then waits for the actor, for their commit (one batch, to the memory
 * store) and for their delivery, which follows the commit; the bare loop sends its string as
 * many times. Divide a row's time by
 * `BURST` × members for the time per delivery.
 *
 * ```sh
 * deno bench --allow-all bench/broadcast_bench.ts
 * ```
 *
 * @module
 */
import { encodeEnvelope } from "../src/protocol/codec.ts";
import type { Room } from "../src/room/room.ts";
import type { Connection } from "../src/ws/connection.ts";
import type { FakeSocket } from "../tests/_fakes/fake_socket.ts";
import { roomKit } from "../tests/_fakes/room_kit.ts";

/** Room sizes benchmarked (recipients of each message). */
const SCALES = [1, 100, 1_000, 10_000];
/** Messages per iteration. */
const BURST = 10;

const kit = roomKit();

/** A room with `members` recipients plus the sender, every connection attached. */
interface BroadcastRoom {
  room: Room;
  sender: Connection;
  sockets: FakeSocket[];
}

async function fillRoom(roomId: string, members: number): Promise<BroadcastRoom> {
  const room = kit.registry.open(roomId);
  const join = async (userId: string) => {
    const { connection, socket } = kit.connection(roomId, userId, false);
    const admitted = await room.admit(connection.principal, connection.id);
    if (!admitted.ok) throw new Error(`Cannot fill room "${roomId}": ${admitted.message}`);
    room.attach(connection);
    return { connection, socket };
  };
  const sender = await join("sender");
  const sockets: FakeSocket[] = [];
  for (let i = 0; i < members; i++) sockets.push((await join(`member-${i}`)).socket);
  await room.idle();
  return { room, sender: sender.connection, sockets };
}

for (const members of SCALES) {
  const { room, sender, sockets } = await fillRoom(`bench-${members}`, members);
  const group = `${members} members`;
  const data = { text: "hello, this is a chat message of ordinary length" };

  Deno.bench({
    name: `broadcast to ${members} members`,
    group,
    async fn() {
      for (let i = 0; i < BURST; i++) room.publish(sender, "chat", data, true, "r");
      await kit.delivered(room);
    },
  });

  const frame = encodeEnvelope({
    type: "chat",
    room_id: room.id,
    user_id: sender.principal.id,
    data,
    timestamp: new Date().toISOString(),
    id: 1,
  });
  Deno.bench({
    name: `bare loop to ${members} members`,
    group,
    baseline: true,
    fn() {
      for (let i = 0; i < BURST; i++) {
        for (const socket of sockets) socket.send(frame);
      }
    },
  });
}
