import assert from "assert";
import type { TestClient } from "../_helpers/client.ts";
import { fakeDate } from "../_helpers/fake_date.ts";
import { startServer, type TestServer } from "../_helpers/server.ts";

async function publish(client: TestClient, count: number, tag: string): Promise<void> {
  for (let i = 0; i < count; i++) {
    client.send({ type: "chat", data: { text: `${tag}${i}` }, ref: `${tag}${i}` });
    await client.next((m) => m.type === "ack" && m.ref === `${tag}${i}`);
  }
}

async function historyIds(server: TestServer): Promise<number[]> {
  const res = await server.request("/api/rooms/lobby/messages?limit=200", {
    user: { sub: "root", admin: true },
  });
  return (await res.json()).messages.map((m: { id: number }) => m.id);
}

Deno.test("janitor.sweep() removes messages older than ROOMD_HISTORY_TTL_S", async () => {
  const clock = fakeDate();
  const server = await startServer({ ROOMD_HISTORY_TTL_S: "60" });
  try {
    const client = await server.connect("lobby", "ana");
    const { epoch } = (await client.nextOfType("system")).data;
    await publish(client, 3, "old");
    clock.tick(30_000);
    await publish(client, 2, "new");

    clock.tick(29_999);
    await server.roomd.janitor.sweep();
    assert.deepEqual(await historyIds(server), [1, 2, 3, 4, 5], "nothing is 60 s old yet");

    clock.tick(1_001);
    await server.roomd.janitor.sweep();
    assert.deepEqual(await historyIds(server), [4, 5]);

    const late = await server.connect("lobby", "bo", { since: "1", epoch });
    assert.equal((await late.nextOfType("system")).data.recovered, false, "ids 2 and 3 are gone");
    assert.deepEqual((await late.nextOfType("chat")).id, 4);
    await late.close();
    const onTime = await server.connect("lobby", "bo", { since: "3", epoch });
    assert.equal((await onTime.nextOfType("system")).data.recovered, true);
    await onTime.close();

    clock.tick(30_000);
    await server.roomd.janitor.sweep();
    assert.deepEqual(await historyIds(server), []);
    await client.close();
  } finally {
    await server.close();
    clock.uninstall();
  }
});

Deno.test("janitor.sweep() keeps history of any age when ROOMD_HISTORY_TTL_S is 0", async () => {
  const clock = fakeDate();
  const server = await startServer({ ROOMD_HISTORY_TTL_S: "0" });
  try {
    const client = await server.connect("lobby", "ana");
    await client.nextOfType("system");
    await publish(client, 2, "m");
    clock.tick(50 * 60_000);
    await server.roomd.janitor.sweep();
    assert.deepEqual(await historyIds(server), [1, 2]);
    await client.close();
  } finally {
    await server.close();
    clock.uninstall();
  }
});
