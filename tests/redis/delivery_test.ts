import assert from "assert";
import { REDIS_IGNORE, startRedis } from "../_helpers/redis_server.ts";
import { until } from "../_helpers/until.ts";
import { PUBLISH_SCRIPT, publishArgs, roomStreamKeys } from "../../src/redis/publish_lua.ts";
import { brokerNodesTest, chat, KEYS, openNode, range, recorder } from "./_nodes.ts";

brokerNodesTest(
  "A node that missed messages on the channel backfills them from history before newer ids",
  2,
  async ([a, b]) => {
    const seen = recorder();
    await b.broker.subscribe("lobby", seen.handler);
    await a.broker.publish(chat("lobby", "1"), 1);
    // Stored without reaching the channel, as when Redis cut a slow subscriber.
    await a.store.appendMessages([2, 3, 4].map((i) => chat("lobby", `${i}`)));
    await a.broker.publish(chat("lobby", "5"), 5);
    await until(() => seen.messages.length >= 5, "five deliveries");
    assert.deepEqual(seen.ids(), range(1, 5));
    assert.equal(seen.messages[2].message.data_json, JSON.stringify({ text: "3" }));
    assert.deepEqual(seen.messages[4].origin, { node: "a", tag: 5 });
  },
);

brokerNodesTest(
  "A node whose pub/sub connection was killed catches up from history once it is back",
  2,
  async ([a, b]) => {
    const seen = recorder();
    await b.broker.subscribe("lobby", seen.handler);
    await a.broker.publish(chat("lobby", "1"), 1);
    await until(() => seen.messages.length === 1, "the first delivery");
    let reconnected = false;
    b.link.onReconnect(() => reconnected = true);
    await a.link.command(["CLIENT", "KILL", "TYPE", "pubsub"]);
    // Published while b's pub/sub connection is away or not yet back: never on its channel.
    await a.store.appendMessages([2, 3].map((i) => chat("lobby", `${i}`)));
    await until(() => reconnected, "b's pub/sub connection back");
    await until(() => seen.messages.length >= 3, "the backfill, with no newer message");
    await a.broker.publish(chat("lobby", "4"), 4);
    await until(() => seen.messages.length >= 4, "the next delivery");
    assert.deepEqual(seen.ids(), range(1, 4));
  },
);

brokerNodesTest(
  "Concurrent publishers on two nodes get consecutive ids, delivered once each in id order to both",
  2,
  async ([a, b]) => {
    const [seenA, seenB] = [recorder(), recorder()];
    await a.broker.subscribe("lobby", seenA.handler);
    await b.broker.subscribe("lobby", seenB.handler);
    const results = await Promise.all(
      range(1, 400).map((i) => (i % 2 ? a : b).broker.publish(chat("lobby", `${i}`), i)),
    );
    const ids = results.map((r) => (r.status === "stored" ? r.id : 0));
    assert.deepEqual(ids.toSorted((x, y) => x - y), range(1, 400));
    await until(() => seenA.messages.length >= 400 && seenB.messages.length >= 400, "400 each");
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(seenA.ids(), range(1, 400));
    assert.deepEqual(seenB.ids(), range(1, 400));
    const own = seenA.messages.filter((m) => m.origin?.node === "a").map((m) => m.origin?.tag);
    assert.deepEqual(own.toSorted((x, y) => x! - y!), range(1, 400).filter((i) => i % 2));
  },
);

brokerNodesTest(
  "While Redis is down publish() rejects at once, failure is set, and nothing is queued",
  1,
  async ([a], redis) => {
    const seen = recorder();
    await a.broker.subscribe("lobby", seen.handler);
    await a.broker.publish(chat("lobby", "1"), 1);
    await redis.kill();
    await assert.rejects(a.broker.publish(chat("lobby", "lost"), 2));
    await until(() => a.broker.failure !== null, "a failure");
    await assert.rejects(a.broker.publish(chat("lobby", "lost"), 3), /Cannot publish/);
    await redis.restart();
    await until(() => a.broker.failure === null, "Redis back", 15_000);
    const next = await a.broker.publish(chat("lobby", "2"), 4);
    // Without persistence Redis came back empty: nothing of the outage was written.
    assert.ok(next.status === "stored" && next.id === 1);
    assert.equal((await a.broker.history("lobby", { limit: 10 })).messages.length, 1);
  },
);

/** The publish script's run for each message, in the Redis protocol, for `redis-cli --pipe`. */
function publishPipe(roomId: string, count: number, bytes: number): string {
  const keys = [...roomStreamKeys(KEYS, roomId), KEYS.channel(roomId)];
  const text = "x".repeat(bytes);
  const resp = (args: string[]) =>
    `*${args.length}\r\n` +
    args.map((arg) => `$${new TextEncoder().encode(arg).length}\r\n${arg}\r\n`).join("");
  return range(1, count).map((i) =>
    resp([
      "EVAL",
      PUBLISH_SCRIPT.source,
      String(keys.length),
      ...keys,
      ...publishArgs(chat(roomId, text), { node: "cli", tag: i }, 0, "fresh"),
    ])
  ).join("");
}

Deno.test({
  name:
    "A subscriber Redis cuts for its output buffer reconnects and still delivers every id once, in order",
  ignore: REDIS_IGNORE,
  async fn() {
    // A pub/sub client with more than 64 KiB waiting is cut at once.
    const redis = await startRedis({ args: ["--client-output-buffer-limit", "pubsub 64kb 0 0"] });
    const [a, b] = [await openNode(redis.url, "a"), await openNode(redis.url, "b")];
    try {
      const seen = recorder();
      await b.broker.subscribe("lobby", seen.handler);
      await a.broker.publish(chat("lobby", "1"), 1);
      await until(() => seen.messages.length === 1, "the first delivery");
      let cuts = 0;
      b.link.onReconnect(() => cuts++);
      // Another process publishes 8 MB while this one (node b) is blocked and cannot read.
      const pipe = `${redis.dir}/publish.resp`;
      await Deno.writeTextFile(pipe, publishPipe("lobby", 400, 20_000));
      const script = `redis-cli -p ${redis.port} --pipe < ${pipe} > /dev/null`;
      assert.ok(new Deno.Command("sh", { args: ["-c", script] }).outputSync().success);
      await until(() => seen.messages.length >= 401, "401 deliveries", 15_000);
      await a.broker.publish(chat("lobby", "last"), 2);
      await until(() => seen.messages.length >= 402, "the last delivery");
      assert.deepEqual(seen.ids(), range(1, 402));
      assert.ok(cuts > 0, "Redis cut the subscriber");
    } finally {
      await Promise.all([a.close(), b.close()]);
      await redis.stop();
    }
  },
});
