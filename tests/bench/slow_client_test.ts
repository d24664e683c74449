import assert from "assert";
import { finishSlowClients, openSlowClient } from "../../bench/_slow_client.ts";

/** A TCP server that answers the upgrade, then writes `frames` and (maybe) ends the stream. */
function fakeServer(frames: Uint8Array[], end: boolean) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const served = (async () => {
    const conn = await listener.accept();
    const buf = new Uint8Array(4096);
    let head = "";
    while (!head.includes("\r\n\r\n")) {
      const n = await conn.read(buf);
      if (n === null) return "";
      head += new TextDecoder().decode(buf.subarray(0, n));
    }
    await conn.write(
      new TextEncoder().encode(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
      ),
    );
    for (const frame of frames) await conn.write(frame);
    if (end) conn.close();
    else await new Promise((resolve) => setTimeout(resolve, 500)).then(() => conn.close());
    return head;
  })();
  const port = (listener.addr as Deno.NetAddr).port;
  return { url: `ws://127.0.0.1:${port}`, served, close: () => listener.close() };
}

function textFrame(length: number): Uint8Array {
  const header = length < 126
    ? [0x81, length]
    : length < 65536
    ? [0x81, 126, length >> 8, length & 0xff]
    : [
      0x81,
      127,
      0,
      0,
      0,
      0,
      length >>> 24,
      (length >> 16) & 0xff,
      (length >> 8) & 0xff,
      length & 0xff,
    ];
  const frame = new Uint8Array(header.length + length).fill(0x61);
  frame.set(header);
  return frame;
}

const close4408 = new Uint8Array([0x88, 0x02, 4408 >> 8, 4408 & 0xff]);

Deno.test("openSlowClient() sends a WebSocket upgrade with a key and the Origin", async () => {
  const server = fakeServer([], true);
  const client = await openSlowClient(server.url, "/ws/r?user=u", "http://127.0.0.1");
  assert.ok(typeof client !== "string", String(client));
  const head = await server.served;
  assert.match(head, /^GET \/ws\/r\?user=u HTTP\/1\.1\r\n/);
  assert.match(head, /\r\nSec-WebSocket-Key: [A-Za-z0-9+/]{22}==\r\n/);
  assert.match(head, /\r\nOrigin: http:\/\/127\.0\.0\.1\r\n/);
  await finishSlowClients([client], 1000);
  server.close();
});

Deno.test("finishSlowClients() finds the close code behind frames of every length form", async () => {
  const server = fakeServer([textFrame(10), textFrame(300), textFrame(70_000), close4408], false);
  const client = await openSlowClient(server.url, "/ws/r", "http://127.0.0.1");
  assert.ok(typeof client !== "string", String(client));
  assert.deepEqual(await finishSlowClients([client], 5000), { "close 4408": 1 });
  await server.served;
  server.close();
});

Deno.test("finishSlowClients() reports a stream that ends without a close frame as eof", async () => {
  const server = fakeServer([textFrame(5)], true);
  const client = await openSlowClient(server.url, "/ws/r", "http://127.0.0.1");
  assert.ok(typeof client !== "string", String(client));
  assert.deepEqual(await finishSlowClients([client], 5000), { eof: 1 });
  await server.served;
  server.close();
});

Deno.test("openSlowClient() describes a refused upgrade", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const served = (async () => {
    const conn = await listener.accept();
    await conn.read(new Uint8Array(4096));
    await conn.write(new TextEncoder().encode("HTTP/1.1 401 Unauthorized\r\n\r\n"));
    conn.close();
  })();
  const url = `ws://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`;
  const outcome = await openSlowClient(url, "/ws/r", "http://127.0.0.1");
  assert.equal(outcome, "upgrade refused: HTTP/1.1 401 Unauthorized");
  await served;
  listener.close();
});
