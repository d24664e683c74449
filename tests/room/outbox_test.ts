import assert from "assert";
import { Metrics } from "../../src/metrics/metrics.ts";
import { Members } from "../../src/room/members.ts";
import { Outbox } from "../../src/room/outbox.ts";
import type { Connection } from "../../src/ws/connection.ts";
import { BackloggedSocket, connectionOver } from "../_fakes/backlogged_socket.ts";

const encoder = new TextEncoder();

function bytesOf(text: string): number {
  return encoder.encode(text).length;
}

interface TestRoom {
  members: Members;
  outbox: Outbox;
  /** Adds a connection of `userId` over `socket` with the given cap. */
  join(
    userId: string,
    socket: BackloggedSocket,
    maxQueueBytes: number,
    onSlow?: (connection: Connection) => void,
  ): Connection;
  close(): Promise<void>;
}

function testRoom(): TestRoom {
  const members = new Members();
  const metrics = new Metrics({ collectProcess: false });
  const outbox = new Outbox("r", members, metrics);
  return {
    members,
    outbox,
    join(userId, socket, maxQueueBytes, onSlow = () => {}) {
      const connection = connectionOver(socket, { userId, maxQueueBytes, onSlow });
      members.add(connection);
      return connection;
    },
    close() {
      metrics.close();
      return Promise.resolve();
    },
  };
}

/** A chat frame of exactly `bytes` UTF-8 bytes (at least 40), numbered `n`. */
function chatFrame(n: number, bytes: number): string {
  const head = `{"type":"chat","data":{"n":${n},"text":"`;
  const tail = `"}}`;
  const frame = head + "x".repeat(bytes - head.length - tail.length) + tail;
  assert.equal(bytesOf(frame), bytes);
  return frame;
}

/** The cap of the members in the cut-off tests. */
const CUT_OFF_CAP = 4096;

/** A member besides the slow one and two that drain after every broadcast. */
interface Companion {
  socket: BackloggedSocket;
  /** What the member reads after each broadcast. */
  drain(): void;
}

/**
 * Broadcasts frames of varied sizes, with 2-, 3- and 4-byte characters (so that only a count
 * in UTF-8 bytes finds the right broadcast), to a member that never drains, two that drain
 * after every broadcast and `companion`; after each broadcast, checks that the slow member is
 * closed from exactly the broadcast that takes its backlog past the cap on, and at the end
 * that everyone else got every frame.
 */
async function assertCutOffOnTime(companion?: Companion): Promise<void> {
  const room = testRoom();
  try {
    const healthyA = new BackloggedSocket();
    const slow = new BackloggedSocket();
    const healthyB = new BackloggedSocket();
    const cutOff: Connection[] = [];
    room.join("a", healthyA, CUT_OFF_CAP);
    const slowConnection = room.join("slow", slow, CUT_OFF_CAP, (c) => cutOff.push(c));
    if (companion) room.join("companion", companion.socket, CUT_OFF_CAP);
    room.join("b", healthyB, CUT_OFF_CAP);

    const frames = Array.from(
      { length: 80 },
      (_, i) => JSON.stringify({ type: "chat", data: { n: i, text: "é✓😀".repeat(3 + i % 7) } }),
    );
    let backlog = 0;
    let expected = -1;
    for (let i = 0; i < frames.length && expected < 0; i++) {
      backlog += bytesOf(frames[i]);
      if (backlog > CUT_OFF_CAP) expected = i;
    }
    assert.ok(expected > 10 && expected < frames.length - 10, "the cap is passed mid-run");

    for (let i = 0; i < frames.length; i++) {
      room.outbox.fanOut("chat", frames[i], null);
      healthyA.drainTo(0);
      healthyB.drainTo(0);
      companion?.drain();
      const closedNow = slow.closeCode !== null;
      assert.equal(closedNow, i >= expected, `after broadcast ${i} (cut-off at ${expected})`);
    }

    assert.equal(slow.closeCode, 4408);
    assert.ok(slowConnection.closing);
    assert.deepEqual(cutOff, [slowConnection]);
    assert.deepEqual(slow.received, frames.slice(0, expected + 1));
    const others = companion ? [healthyA, companion.socket, healthyB] : [healthyA, healthyB];
    for (const socket of others) {
      assert.equal(socket.closeCode, null);
      assert.deepEqual(socket.received, frames);
    }
  } finally {
    await room.close();
  }
}

Deno.test("Outbox.fanOut() cuts off a member that never drains at exactly the broadcast that takes its backlog past the cap", async () => {
  await assertCutOffOnTime();
});

Deno.test("Outbox.fanOut() cuts off a member on time while a member near its cap makes the room settle every few broadcasts", async () => {
  // About three frames of room below the cap: the slow member must keep count across the many
  // settlements where it is not read.
  const steady = CUT_OFF_CAP - 300;
  const socket = new BackloggedSocket(steady);
  await assertCutOffOnTime({ socket, drain: () => socket.drainTo(steady) });
});

Deno.test("Outbox.fanOut() cuts off a member on time after one with little headroom made the room settle before the slow member needed reading", async () => {
  // Read at the first broadcast with 40% of the cap free, then drained: the room settles once
  // that member has received half of it, too early for the slow member to be read, which must
  // then still count those bytes (and its smaller slack) towards the next settlement.
  const socket = new BackloggedSocket(Math.round(CUT_OFF_CAP * 0.6));
  await assertCutOffOnTime({ socket, drain: () => socket.drainTo(0) });
});

/** Every member's readings of `bufferedAmount`, summed. */
function totalReads(sockets: readonly BackloggedSocket[]): number {
  return sockets.reduce((sum, socket) => sum + socket.backlogReads, 0);
}

/**
 * The most readings a member that drains after every broadcast should need: one when it joins,
 * then one each time it has received half of its headroom (the cap less the one
 * frame still queued when it is read).
 */
function readBound(cap: number, frameBytes: number, broadcasts: number): number {
  const halfHeadroom = (cap - frameBytes) / 2;
  return 1 + Math.ceil((broadcasts * frameBytes) / halfHeadroom);
}

Deno.test("Outbox.fanOut() reads a healthy member's bufferedAmount about once per half cap of traffic", async () => {
  const room = testRoom();
  try {
    const cap = 64 * 1024;
    const frameBytes = 100;
    const broadcasts = 1000;
    const sockets = Array.from({ length: 50 }, () => new BackloggedSocket());
    sockets.forEach((socket, i) => room.join(`u${i}`, socket, cap));

    for (let n = 0; n < broadcasts; n++) {
      room.outbox.fanOut("chat", chatFrame(n, frameBytes), null);
      for (const socket of sockets) socket.drainTo(0);
    }

    for (const socket of sockets) {
      assert.equal(socket.closeCode, null);
      assert.equal(socket.received.length, broadcasts);
    }
    const bound = sockets.length * readBound(cap, frameBytes, broadcasts);
    const reads = totalReads(sockets);
    assert.ok(sockets.every((s) => s.backlogReads > 0), "every member is read at least once");
    assert.ok(reads <= bound, `${reads} reads of bufferedAmount, expected at most ${bound}`);
  } finally {
    await room.close();
  }
});

Deno.test("Outbox.fanOut() keeps healthy members' reads rare while a lagging member makes the room settle often", async () => {
  const room = testRoom();
  try {
    const cap = 64 * 1024;
    const frameBytes = 100;
    const broadcasts = 1000;
    // The laggard keeps its backlog 20 frames below the cap: it must be read about every 20
    // broadcasts, which should not make every other member read that often.
    const steadyBacklog = cap - 20 * frameBytes;
    const laggard = new BackloggedSocket(steadyBacklog);
    const healthy = Array.from({ length: 49 }, () => new BackloggedSocket());
    room.join("laggard", laggard, cap);
    healthy.forEach((socket, i) => room.join(`u${i}`, socket, cap));

    for (let n = 0; n < broadcasts; n++) {
      room.outbox.fanOut("chat", chatFrame(n, frameBytes), null);
      laggard.drainTo(steadyBacklog);
      for (const socket of healthy) socket.drainTo(0);
    }

    for (const socket of [laggard, ...healthy]) {
      assert.equal(socket.closeCode, null);
      assert.equal(socket.received.length, broadcasts);
    }
    const bound = healthy.length * readBound(cap, frameBytes, broadcasts);
    const reads = totalReads(healthy);
    assert.ok(reads <= bound, `${reads} reads of bufferedAmount, expected at most ${bound}`);
    assert.ok(
      laggard.backlogReads > readBound(cap, frameBytes, broadcasts),
      `the laggard was read ${laggard.backlogReads} times: the room did not settle often`,
    );
  } finally {
    await room.close();
  }
});

Deno.test("Outbox.fanOut() skips the sender and keeps reaching every member after one leaves from the middle", async () => {
  const room = testRoom();
  try {
    const sockets = Array.from({ length: 5 }, () => new BackloggedSocket());
    const [c0, c1, c2, c3, c4] = sockets.map((socket, i) => room.join(`u${i}`, socket, 1 << 20));

    room.outbox.fanOut("chat", "f1", c2);
    assert.deepEqual(sockets.map((s) => s.received), [["f1"], ["f1"], [], ["f1"], ["f1"]]);

    assert.equal(room.members.remove(c1.id), c1);
    assert.equal(room.members.remove(c1.id), null);
    assert.equal(room.members.slotOf(c1), -1);
    for (const connection of [c0, c2, c3, c4]) {
      const slot = room.members.slotOf(connection);
      assert.equal(room.members.list()[slot], connection);
      assert.equal(room.members.sockets()[slot], connection.socket);
    }

    // c4 was last: a sender whose slot changed is still the one skipped.
    room.outbox.fanOut("chat", "f2", c4);
    // A sender that has left is no one's slot: every member present receives.
    room.outbox.fanOut("chat", "f3", c1);
    assert.deepEqual(sockets.map((s) => s.received), [
      ["f1", "f2", "f3"],
      ["f1"],
      ["f2", "f3"],
      ["f1", "f2", "f3"],
      ["f1", "f3"],
    ]);

    // Removing the last slot leaves the others in place.
    room.members.remove(c4.id);
    assert.equal(room.members.slotOf(c4), -1);
    room.outbox.fanOut("chat", "f4", c0);
    assert.deepEqual(sockets.map((s) => s.received.at(-1)), ["f3", "f1", "f4", "f4", "f3"]);
    assert.ok(sockets.every((s) => s.closeCode === null));
  } finally {
    await room.close();
  }
});

Deno.test("Connection.send() counts the room's unsettled broadcast bytes toward the cap", async () => {
  const room = testRoom();
  try {
    const cap = 2048;
    const frameBytes = 100;
    const near = new BackloggedSocket();
    const healthy = new BackloggedSocket();
    let slowCalls = 0;
    const nearConnection = room.join("near", near, cap, () => slowCalls++);
    room.join("healthy", healthy, cap);

    // As many broadcasts as fit under the cap: every member read its backlog when it joined,
    // so they all stay pending in the ledger, within every member's slack.
    const broadcasts = Math.floor(cap / frameBytes);
    for (let n = 0; n < broadcasts; n++) {
      room.outbox.fanOut("chat", chatFrame(n, frameBytes), null);
      healthy.drainTo(0);
    }
    assert.equal(
      room.members.ledger.pending,
      broadcasts * frameBytes,
      "precondition: the broadcasts are not settled yet",
    );
    assert.equal(near.closeCode, null);

    // A reply that fills the backlog up to the cap exactly is not past it.
    const roomLeft = cap - broadcasts * frameBytes;
    assert.ok(nearConnection.send("x".repeat(roomLeft)));
    assert.equal(near.closeCode, null);

    // A short ack more passes it, though far less than the connection's own headroom was sent.
    const ack = '{"type":"ack","ref":"m1"}';
    assert.ok(nearConnection.send(ack));
    assert.equal(near.closeCode, 4408);
    assert.equal(slowCalls, 1);
    assert.equal(nearConnection.send(ack), false);

    room.outbox.fanOut("chat", chatFrame(broadcasts, frameBytes), null);
    assert.equal(near.received.length, broadcasts + 2);
    assert.equal(healthy.received.length, broadcasts + 1);
    assert.equal(healthy.closeCode, null);
    assert.equal(slowCalls, 1);
  } finally {
    await room.close();
  }
});

Deno.test("Outbox.fanOut() does not make the room settle because a member joined", async () => {
  const room = testRoom();
  try {
    const cap = 64 * 1024;
    const sockets = Array.from({ length: 20 }, () => new BackloggedSocket());
    sockets.forEach((socket, i) => room.join(`u${i}`, socket, cap));
    for (let n = 0; n <= 10; n++) {
      if (n > 0) room.join(`late${n}`, new BackloggedSocket(), cap);
      room.outbox.fanOut("chat", chatFrame(n, 100), null);
      // A settlement would have emptied the ledger: far below the cap, none is due.
      assert.equal(room.members.ledger.pending, 100 * (n + 1), `broadcast ${n} settled the room`);
    }
    assert.deepStrictEqual(sockets.map((s) => s.received.length), sockets.map(() => 11));
  } finally {
    await room.close();
  }
});
