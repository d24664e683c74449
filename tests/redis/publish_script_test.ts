import assert from "assert";
import { brokerNodesTest, chat, KEYS } from "./_nodes.ts";

brokerNodesTest(
  "A room's timestamps never go back: a publish after a later-stamped message gets its time",
  1,
  async ([a]) => {
    const future = "2099-01-01T00:00:00.000Z";
    await a.store.appendMessages([{ ...chat("lobby", "from the future"), timestamp: future }]);
    const next = await a.broker.publish(chat("lobby", "now"), 1);
    assert.ok(next.status === "stored" && next.id === 2);
    assert.equal(next.timestamp, future);
    const other = await a.broker.publish(chat("other", "now"), 2);
    assert.ok(other.status === "stored" && other.timestamp < future, "other rooms unaffected");
  },
);

brokerNodesTest("Expired dedupe keys are purged by later publishes of the room", 1, async ([a]) => {
  const at = (minute: number) => new Date(Date.UTC(2025, 0, 1, 0, minute)).toISOString();
  const keyed = (i: number) => ({
    ...chat("lobby", `${i}`),
    timestamp: at(0),
    dedupe: { key: `http:k${i}`, fingerprint: "", expires_at: Date.parse(at(10)) },
  });
  await a.store.appendMessages([1, 2, 3].map(keyed));
  const held = () => a.link.command(["HLEN", KEYS.room("lobby", "dd")]);
  assert.equal(await held(), 3);
  await a.store.appendMessages([{ ...chat("lobby", "later"), timestamp: at(9) }]);
  assert.equal(await held(), 3, "not expired yet");
  await a.store.appendMessages([{ ...chat("lobby", "later"), timestamp: at(10) }]);
  assert.equal(await held(), 0);
  assert.equal(await a.link.command(["EXISTS", KEYS.room("lobby", "ddx")]), 0);
});
