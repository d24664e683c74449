/**
 * The behaviour every {@linkcode Broker} engine must have, as one suite each engine's test file
 * registers with its own factory (like tests/store/_contract.ts). A factory opens a "cluster":
 * one shared backend and as many nodes over it as a test asks for.
 *
 * @module
 */
import assert from "assert";
import type { Broker, BrokerHandler, Origin } from "../../src/broker/broker.ts";
import type { NewMessage, SerializedMessage } from "../../src/store/types.ts";
import { until } from "../_helpers/until.ts";

/** Nodes over one shared backend. */
export interface BrokerCluster {
  /** A node with this id over the shared backend. */
  node(nodeId: string): Broker;
  /** Creates a room record; returns its epoch. */
  createRoom(roomId: string): Promise<string>;
  /** Closes every node and the backend. */
  close(): Promise<void>;
}

/** What a subscription saw. */
interface Seen {
  handler: BrokerHandler;
  messages: { message: SerializedMessage; origin: Origin | null }[];
  ephemeral: Omit<SerializedMessage, "id">[];
}

function recorder(): Seen {
  const seen: Seen = {
    messages: [],
    ephemeral: [],
    handler: {
      message: (message, origin) => seen.messages.push({ message, origin }),
      ephemeral: (message) => seen.ephemeral.push(message),
    },
  };
  return seen;
}

function chat(roomId: string, text: string, extra: Partial<NewMessage> = {}): NewMessage {
  return {
    type: "chat",
    room_id: roomId,
    user_id: "ana",
    timestamp: new Date().toISOString(),
    data_json: JSON.stringify({ text }),
    ...extra,
  };
}

const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

/**
 * Registers the contract tests of a broker engine.
 *
 * @param name The engine's name, the prefix of every test name (e.g. `LocalBroker`).
 * @param open Opens an empty cluster.
 */
export function brokerContract(name: string, open: () => BrokerCluster | Promise<BrokerCluster>) {
  const test = (title: string, body: (cluster: BrokerCluster) => Promise<void>): void => {
    Deno.test(`${name}.${title}`, async () => {
      const cluster = await open();
      try {
        await body(cluster);
      } finally {
        await cluster.close();
      }
    });
  };

  test("publish() returns consecutive ids from 1 with the room's epoch and the time", async (c) => {
    const epoch = await c.createRoom("lobby");
    const broker = c.node("a");
    const results = [
      await broker.publish(chat("lobby", "one"), 1),
      await broker.publish(chat("lobby", "2"), 2),
    ];
    // The engine may stamp its own clock (Redis TIME), never going back within a room.
    const times = results.map((r) => (r.status === "stored" ? r.timestamp : ""));
    assert.deepEqual(results, [
      { status: "stored", id: 1, epoch, timestamp: times[0] },
      { status: "stored", id: 2, epoch, timestamp: times[1] },
    ]);
    assert.ok(times.every((t) => new Date(t).toISOString() === t) && times[0] <= times[1]);
    assert.deepEqual(await broker.position("lobby"), { last_id: 2, trimmed: 0, epoch });
  });

  test("concurrent publishers on two nodes get consecutive ids, delivered in id order to both", async (c) => {
    await c.createRoom("lobby");
    const [a, b] = [c.node("a"), c.node("b")];
    const [seenA, seenB] = [recorder(), recorder()];
    await a.subscribe("lobby", seenA.handler);
    await b.subscribe("lobby", seenB.handler);
    const publishes = range(1, 100).map((i) => (i % 2 ? a : b).publish(chat("lobby", `${i}`), i));
    const ids = (await Promise.all(publishes)).map((r) => (r.status === "stored" ? r.id : 0));
    assert.deepEqual(ids.toSorted((x, y) => x - y), range(1, 100));
    await Promise.all([a.flush(), b.flush()]);
    // Another node's publications reach a node when its channel carries them.
    await until(() => seenA.messages.length >= 100 && seenB.messages.length >= 100, "100 each");
    assert.deepEqual(seenA.messages.map((s) => s.message.id), range(1, 100));
    assert.deepEqual(seenB.messages.map((s) => s.message.id), range(1, 100));
  });

  test("a node's own publication reaches its subscription once, tagged, before publish() resolves", async (c) => {
    await c.createRoom("lobby");
    const a = c.node("a");
    const seen = recorder();
    await a.subscribe("lobby", seen.handler);
    const message = chat("lobby", "hello");
    const result = await a.publish(message, 7);
    assert.equal(seen.messages.length, 1, "delivered before the publish resolved, once");
    const [{ message: delivered, origin }] = seen.messages;
    assert.deepEqual(origin, { node: "a", tag: 7 });
    assert.ok(result.status === "stored");
    assert.deepEqual(delivered, {
      id: result.id,
      type: "chat",
      room_id: "lobby",
      user_id: "ana",
      timestamp: result.timestamp,
      data_json: message.data_json,
    });
  });

  test("ephemeral messages reach the other nodes without an id, never the publishing node", async (c) => {
    await c.createRoom("lobby");
    const [a, b] = [c.node("a"), c.node("b")];
    const [seenA, seenB] = [recorder(), recorder()];
    await a.subscribe("lobby", seenA.handler);
    await b.subscribe("lobby", seenB.handler);
    a.publishEphemeral({ ...chat("lobby", "typing"), type: "typing" });
    await Promise.all([a.flush(), b.flush()]);
    await until(() => seenB.ephemeral.length > 0, "node b's ephemeral message");
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(seenA.ephemeral.length, 0);
    assert.equal(seenB.ephemeral.length, 1);
    assert.equal(seenB.ephemeral[0].type, "typing");
    assert.ok(!("id" in seenB.ephemeral[0]));
    assert.deepEqual(await a.position("lobby").then((p) => p.last_id), 0, "nothing stored");
  });

  test("unsubscribe() stops deliveries to that handler only; other rooms are not delivered", async (c) => {
    await c.createRoom("lobby");
    await c.createRoom("other");
    const a = c.node("a");
    const [kept, dropped, elsewhere] = [recorder(), recorder(), recorder()];
    await a.subscribe("lobby", kept.handler);
    await a.subscribe("lobby", dropped.handler);
    await a.subscribe("other", elsewhere.handler);
    await a.publish(chat("lobby", "1"), 1);
    await a.unsubscribe("lobby", dropped.handler);
    await a.publish(chat("lobby", "2"), 2);
    assert.deepEqual(kept.messages.map((s) => s.message.id), [1, 2]);
    assert.deepEqual(dropped.messages.map((s) => s.message.id), [1]);
    assert.equal(elsewhere.messages.length, 0);
  });

  test("a repeated dedupe key publishes nothing and returns the original; another body conflicts", async (c) => {
    await c.createRoom("lobby");
    const a = c.node("a");
    const seen = recorder();
    await a.subscribe("lobby", seen.handler);
    const dedupe = { key: "http:k1", fingerprint: "f1", expires_at: Date.now() + 60_000 };
    const first = await a.publish(chat("lobby", "once", { dedupe }), 1);
    const again = await a.publish(chat("lobby", "once", { dedupe }), 2);
    const other = await a.publish(
      chat("lobby", "x", { dedupe: { ...dedupe, fingerprint: "f2" } }),
      3,
    );
    assert.ok(first.status === "stored");
    assert.deepEqual(again, { status: "duplicate", id: first.id, timestamp: first.timestamp });
    assert.deepEqual(other, { status: "conflict" });
    assert.deepEqual(seen.messages.map((s) => s.message.id), [first.id]);
  });

  test("history() holds every resolved publish, and a resume that buffers live deliveries during the read misses and repeats nothing", async (c) => {
    await c.createRoom("lobby");
    const [a, b] = [c.node("a"), c.node("b")];
    for (let i = 1; i <= 20; i++) await a.publish(chat("lobby", `${i}`), i);
    // A client of node b resumes from id 5 while node a keeps publishing.
    const live: SerializedMessage[] = [];
    await b.subscribe("lobby", { message: (m) => live.push(m), ephemeral: () => {} });
    const racing = range(21, 40).map((i) => a.publish(chat("lobby", `${i}`), i));
    const page = await b.history("lobby", { since: 5, limit: 1000 });
    await Promise.all(racing);
    await until(() => live.some((m) => m.id === 40), "node b's delivery of id 40");
    const merged = new Map<number, string>();
    for (const m of page.messages) merged.set(m.id, JSON.stringify(m.data));
    for (const m of live) if (m.id > 5) merged.set(m.id, m.data_json);
    const ids = [...merged.keys()].toSorted((x, y) => x - y);
    assert.deepEqual(ids, range(6, 40));
    assert.deepEqual(merged.get(30), JSON.stringify({ text: "30" }));
    const all = await a.history("lobby", { since: 0, limit: 1000 });
    assert.deepEqual(all.messages.map((m) => m.id), range(1, 40));
  });

  test("position() reports zeros and an empty epoch for an unknown room", async (c) => {
    assert.deepEqual(await c.node("a").position("nowhere"), { last_id: 0, trimmed: 0, epoch: "" });
  });

  test("failure is null while writes succeed", async (c) => {
    await c.createRoom("lobby");
    const a = c.node("a");
    await a.publish(chat("lobby", "1"), 1);
    assert.equal(a.failure, null);
  });
}
