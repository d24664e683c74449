import assert from "assert";
import { until } from "../_helpers/until.ts";
import { brokerNodesTest, chat, range, recorder } from "./_nodes.ts";

brokerNodesTest(
  "With AOF appendfsync always an acked publish survives kill -9 of Redis, and delivery goes on without a gap",
  2,
  async ([a, b], redis) => {
    const [seenA, seenB] = [recorder(), recorder()];
    await a.broker.subscribe("lobby", seenA.handler);
    await b.broker.subscribe("lobby", seenB.handler);
    let epoch = "";
    for (let i = 1; i <= 20; i++) {
      const result = await a.broker.publish(chat("lobby", `${i}`), i);
      assert.ok(result.status === "stored" && result.id === i);
      epoch = result.epoch;
    }
    await redis.kill();
    await redis.restart();
    // Back means answering: a node may not have noticed the restart yet when it is asked.
    const answers = (node: typeof a) => node.broker.position("lobby").then(() => true, () => false);
    await until(async () => await answers(a) && await answers(b), "both nodes back", 15_000);
    // Published at once: node b may not have resubscribed yet, and catches up from history.
    for (let i = 21; i <= 25; i++) await a.broker.publish(chat("lobby", `${i}`), i);
    const history = await b.broker.history("lobby", { since: 0, limit: 100 });
    assert.deepEqual(history.messages.map((m) => m.id), range(1, 25));
    assert.deepEqual(await b.broker.position("lobby"), { last_id: 25, trimmed: 0, epoch });
    await until(() => seenB.messages.length >= 25, "node b caught up", 15_000);
    assert.deepEqual(seenB.ids(), range(1, 25));
    assert.deepEqual(seenA.ids(), range(1, 25));
    // A subscription may be told the first epoch it learns; no other epoch may appear.
    const others = [...seenA.epochs, ...seenB.epochs].filter((e) => e.epoch !== epoch);
    assert.deepEqual(others, [], "the epoch did not change");
  },
  ["--appendonly", "yes", "--appendfsync", "always"],
);
