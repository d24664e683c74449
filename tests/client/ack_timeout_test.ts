import assert from "assert";
import { connect } from "../../src/client/mod.ts";
import { startServer } from "../_helpers/server.ts";
import { denoOptions } from "./_options.ts";
import { startProxy } from "./_proxy.ts";
import { record } from "./_record.ts";

Deno.test("send() rejects with timeout when no ack comes within replyTimeoutMs, and the connection stays", async () => {
  const server = await startServer();
  const proxy = startProxy(server.port);
  try {
    const client = connect(proxy.origin, {
      room: "lobby",
      token: await server.token({ sub: "alice" }),
      ...denoOptions(),
      replyTimeoutMs: 200,
    });
    const events = record(client);
    await events.reach("open");
    proxy.swallowReplies = true;
    await assert.rejects(client.send("chat", { text: "lost" }), (error: Error) => {
      assert.equal((error as { code?: string }).code, "timeout");
      assert.match(error.message, /no reply within 200 ms/);
      return true;
    });
    proxy.swallowReplies = false;
    const ack = await client.send("chat", { text: "heard" });
    assert.equal(typeof ack.id, "number");
    assert.deepEqual(events.states.map((s) => s.state), ["open"]);
    client.close();
  } finally {
    await proxy.close();
    await server.close();
  }
});
