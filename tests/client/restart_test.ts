import assert from "assert";
import { mintToken } from "../../src/auth/mint.ts";
import { connect, type RoomClient } from "../../src/client/mod.ts";
import { type ChildServer, startChild, stopChild } from "../_helpers/child_server.ts";
import { TEST_SECRET } from "../_helpers/server.ts";
import { until } from "../_helpers/until.ts";
import { denoOptions } from "./_options.ts";
import { record } from "./_record.ts";

/** Longest a child server may take to start. */
const CHILD_DEADLINE_MS = 20_000;

function join(origin: string, sub: string): RoomClient {
  return connect(origin, {
    room: "lobby",
    getToken: () => mintToken(TEST_SECRET, { sub, name: sub }, "1h"),
    ...denoOptions(),
  });
}

Deno.test("across a server crash and restart, every acked message reaches a subscriber once, in order", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "roomd-client-restart-" });
  const env = { ROOMD_DATA_DIR: dataDir, ROOMD_ROOM_GRACE_MS: "20" };
  let child: ChildServer | null = null;
  const clients: RoomClient[] = [];
  try {
    child = await startChild(env, CHILD_DEADLINE_MS);
    const { origin, port } = child;
    const publisher = join(origin, "pub");
    const subscriber = join(origin, "sub");
    clients.push(publisher, subscriber);
    const events = record(subscriber);
    await record(publisher).reach("open");
    await events.reach("open");
    const acked: number[] = [];
    let stop = false;
    const publishing = (async () => {
      for (let i = 0; !stop; i++) {
        acked.push((await publisher.send("chat", { text: `n${i}` })).id!);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    await until(() => acked.length >= 20, "messages before the crash", 15_000);
    child.kill("SIGKILL");
    await child.exited;
    const downAt = events.states.length;
    child = await startChild({ ...env, PORT: String(port) }, CHILD_DEADLINE_MS);
    const reopened = await events.reach("open", downAt, 20_000);
    assert.equal(reopened.recovered, true);
    const restartedAt = acked.length;
    await until(() => acked.length >= restartedAt + 20, "messages after the restart", 20_000);
    stop = true;
    await publishing;
    const last = acked.at(-1)!;
    await until(() => events.messages.some((m) => m.id === last), "the last message", 10_000);
    const seen = events.messages.filter((m) => m.type === "chat").map((m) => m.id!);
    for (let i = 1; i < seen.length; i++) {
      assert.ok(seen[i] > seen[i - 1], `ids in order, each once: ${seen.slice(i - 1, i + 1)}`);
    }
    const seenSet = new Set(seen);
    const missing = acked.filter((id) => !seenSet.has(id));
    assert.deepEqual(missing, [], "every acked message was seen");
  } finally {
    for (const client of clients) client.close();
    if (child) await stopChild(child);
    await Deno.remove(dataDir, { recursive: true });
  }
});
