import assert from "assert";
import { startServer } from "../_helpers/server.ts";

Deno.test("a chat repeated with its cid is published once, even across a restart, and acked with the original id", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "roomd-cid-" });
  const env = { ROOMD_DATA_DIR: dataDir };
  const chat = (ref: string, cid?: string) => ({ type: "chat", data: { text: "hi" }, ref, cid });
  try {
    const first = await startServer(env);
    let original;
    try {
      const ana = await first.connect("lobby", "ana");
      const bo = await first.connect("lobby", "bo");
      await bo.nextOfType("system");
      ana.send(chat("r1", "m1"));
      original = await ana.next((m) => m.ref === "r1");
      ana.send(chat("r2", "m1"));
      const repeat = await ana.next((m) => m.ref === "r2");
      assert.deepStrictEqual(repeat, { ...original, ref: "r2" });
      ana.send(chat("r3"));
      assert.equal((await ana.next((m) => m.ref === "r3")).id, 2, "no cid: published as usual");
      await bo.next((m) => m.type === "chat" && m.id === 2);
      assert.deepEqual(bo.received.filter((m) => m.type === "chat").map((m) => m.id), [1, 2]);
      await ana.close();
      await bo.close();
    } finally {
      await first.close();
    }
    const second = await startServer(env);
    try {
      const ana = await second.connect("lobby", "ana");
      ana.send(chat("r4", "m1"));
      const again = await ana.next((m) => m.ref === "r4");
      assert.deepStrictEqual([again.type, again.id, again.timestamp], [
        "ack",
        1,
        original.timestamp,
      ]);
      ana.send(chat("r5", "m2"));
      assert.equal((await ana.next((m) => m.ref === "r5")).id, 3);
      await ana.close();
    } finally {
      await second.close();
    }
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});
