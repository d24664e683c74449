import assert from "assert";
import type { Msg, TestClient } from "../_helpers/client.ts";
import { startServer, type TestServer } from "../_helpers/server.ts";

const chatIds = (client: TestClient) =>
  client.received.filter((m) => m.type === "chat").map((m) => m.id as number);

const acks = (client: TestClient) =>
  client.received.filter((m) => m.type === "ack").map((m) => m.id as number);

/** Publishes one chat message and returns its id once acknowledged. */
async function publishOne(client: TestClient, ref: string): Promise<number> {
  client.send({ type: "chat", data: { text: ref }, ref });
  return (await client.next((m) => m.type === "ack" && m.ref === ref)).id;
}

/** Connects and returns the client with its welcome. */
async function join(
  server: TestServer,
  user: string,
  query: Record<string, string> = {},
): Promise<{ client: TestClient; welcome: Msg }> {
  const client = await server.connect("lobby", user, query);
  const welcome = await client.next((m) => m.type === "system" && m.data.event === "welcome");
  return { client, welcome };
}

Deno.test("a client reconnecting 20 times under a steady publisher gets every id once, in order", async () => {
  const server = await startServer();
  try {
    const publisher = (await join(server, "pub")).client;
    let { client, welcome } = await join(server, "sub");
    const epoch = welcome.data.epoch;
    let sent = 0;
    const timer = setInterval(() => {
      publisher.send({ type: "chat", data: { text: `n${sent}` }, ref: `n${sent++}` });
    }, 10);
    const seen: number[] = [];
    let replayed = 0;
    try {
      for (let round = 0; round < 20; round++) {
        if (round % 4 !== 3) {
          const wanted = 5 * (1 + (round % 3));
          await client.next(() => chatIds(client).length >= wanted);
        }
        await client.close();
        if (round % 2 === 1) {
          const published = acks(publisher).length;
          await publisher.next(() => acks(publisher).length >= published + 3);
        }
        seen.push(...chatIds(client));
        replayed += chatIds(client).filter((id) => id <= welcome.data.last_id).length;
        const since = String(seen.at(-1) ?? 0);
        ({ client, welcome } = await join(server, "sub", { since, epoch }));
        assert.equal(welcome.data.recovered, true, `round ${round}`);
        assert.equal(welcome.data.epoch, epoch);
      }
    } finally {
      clearInterval(timer);
    }
    while (acks(publisher).length < sent) await publisher.next();
    const lastId = Math.max(...acks(publisher));
    if (lastId > (seen.at(-1) ?? 0)) await client.next((m) => m.type === "chat" && m.id === lastId);
    seen.push(...chatIds(client));
    assert.ok(lastId > 100, `only ${lastId} messages were published`);
    assert.ok(replayed > 0, "some messages were missed while away and replayed");
    assert.deepEqual(seen, Array.from({ length: lastId }, (_, i) => i + 1));
    await client.close();
    await publisher.close();
  } finally {
    await server.close();
  }
});

Deno.test("resuming past the retained history or in another epoch → recovered: false and what remains", async (t) => {
  const server = await startServer({ ROOMD_HISTORY_SIZE: "5" });
  try {
    const { client: publisher, welcome: first } = await join(server, "pub");
    const epoch = first.data.epoch;
    for (let i = 1; i <= 12; i++) assert.equal(await publishOne(publisher, `m${i}`), i);
    let next = 13;

    /** Joins with `query`, then publishes one message so the end of the replay is known. */
    const resume = async (query: Record<string, string>) => {
      const { client, welcome } = await join(server, "sub", query);
      const marker = await publishOne(publisher, `m${next++}`);
      await client.next((m) => m.type === "chat" && m.id === marker);
      await client.close();
      return { recovered: welcome.data.recovered, welcome, ids: chatIds(client).slice(0, -1) };
    };

    await t.step("since older than the retained history → false, then the 5 kept", async () => {
      const r = await resume({ since: "3", epoch });
      assert.equal(r.recovered, false);
      assert.deepEqual(r.ids, [8, 9, 10, 11, 12]);
    });
    await t.step("since at the newest id trimmed → true, nothing missing", async () => {
      const r = await resume({ since: "8", epoch });
      assert.equal(r.recovered, true);
      assert.deepEqual(r.ids, [9, 10, 11, 12, 13]);
    });
    await t.step("another epoch → false, then everything kept", async () => {
      const r = await resume({ since: "12", epoch: "0123456789abcdef" });
      assert.equal(r.recovered, false);
      assert.deepEqual(r.ids, [10, 11, 12, 13, 14]);
    });
    await t.step("without epoch → true when since is retained", async () => {
      const r = await resume({ since: "13" });
      assert.equal(r.recovered, true);
      assert.deepEqual(r.ids, [14, 15]);
    });
    await t.step("a fresh join has no recovered field and gets no replay", async () => {
      const r = await resume({});
      assert.equal(r.recovered, undefined);
      assert.equal(r.welcome.data.last_id, 16);
      assert.deepEqual(r.ids, []);
    });
    await t.step("a deleted and recreated room has a new epoch → false", async () => {
      await publisher.close();
      assert.equal(await server.roomd.registry.open("lobby").delete(), true);
      const { client, welcome } = await join(server, "sub", { since: "16", epoch });
      assert.notEqual(welcome.data.epoch, epoch);
      assert.equal(welcome.data.recovered, false);
      assert.equal(welcome.data.last_id, 0);
      assert.equal(await publishOne(client, "again"), 1);
      await client.close();
    });
  } finally {
    await server.close();
  }
});

Deno.test("ids keep increasing and the epoch survives a restart on the same data dir", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "roomd-resume-" });
  try {
    const before = await startServer({ ROOMD_DATA_DIR: dataDir });
    let epoch: string;
    try {
      const { client, welcome } = await join(before, "ana");
      epoch = welcome.data.epoch;
      for (let i = 1; i <= 3; i++) assert.equal(await publishOne(client, `a${i}`), i);
      await client.close();
    } finally {
      await before.close();
    }
    const after = await startServer({ ROOMD_DATA_DIR: dataDir });
    try {
      const { client, welcome } = await join(after, "ana", { since: "1", epoch });
      assert.equal(welcome.data.epoch, epoch);
      assert.equal(welcome.data.recovered, true);
      assert.equal(welcome.data.last_id, 3);
      await client.next((m) => m.type === "chat" && m.id === 3);
      assert.deepEqual(chatIds(client), [2, 3]);
      const ids = [await publishOne(client, "b1"), await publishOne(client, "b2")];
      assert.ok(ids[0] > 3 && ids[1] > ids[0], `ids after restart: ${ids}`);
      await client.close();
    } finally {
      await after.close();
    }
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});
