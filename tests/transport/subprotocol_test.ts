import assert from "assert";
import { getLogger } from "@logtape/logtape";
import { transportFor } from "../../src/transport/select.ts";
import { upgradeWebSocket } from "../../src/ws/upgrade.ts";

for (const name of ["native", "ws"] as const) {
  Deno.test(`on the ${name} transport upgradeWebSocket answers with the selected subprotocol and delivers frames`, async () => {
    const received = Promise.withResolvers<unknown>();
    const listening = await transportFor(name).serve(
      (request) =>
        Promise.resolve(upgradeWebSocket(request, 0, (socket) => ({
          onOpen: () => socket.send("hello"),
          onMessage: (data) => received.resolve(data),
          onClose() {},
        }), "roomd")),
      { hostname: "127.0.0.1", port: 0, maxMessageBytes: 1024, log: getLogger("test") },
    );
    const client = new WebSocket(`ws://127.0.0.1:${listening.port}/`, [
      "roomd",
      "roomd.token.abc",
    ]);
    const closed = new Promise((resolve) => client.onclose = resolve);
    try {
      const hello = await new Promise<string>((resolve, reject) => {
        client.onmessage = (event) => resolve(event.data);
        client.onerror = () => reject(new Error("Cannot connect"));
      });
      assert.equal(hello, "hello");
      assert.equal(client.protocol, "roomd");
      client.send("text frame");
      assert.equal(await received.promise, "text frame");
    } finally {
      client.close();
      await closed;
      await listening.shutdown();
    }
  });
}
