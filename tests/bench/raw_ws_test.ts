import assert from "assert";
import { openRaw, type RawSocket, type Refused } from "../../bench/_raw_ws.ts";

/** A server that refuses `/busy` with 429 and echoes text on `/echo`, naming the peer address. */
function echoServer(): { port: number; close: () => Promise<void> } {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req, info) => {
    if (new URL(req.url).pathname === "/busy") {
      return Response.json({ error: { code: "rate_limited", message: "slow down" } }, {
        status: 429,
        headers: { "retry-after": "7" },
      });
    }
    const peer = info.remoteAddr.hostname;
    const { socket, response } = Deno.upgradeWebSocket(req);
    socket.onopen = () => socket.send(`hello ${peer}`);
    socket.onmessage = (event) => socket.send(`echo ${event.data}`);
    return response;
  });
  return { port: server.addr.port, close: () => server.shutdown() };
}

Deno.test("openRaw() reports a refused upgrade's status, code and Retry-After", async () => {
  const server = echoServer();
  try {
    const outcome = await openRaw(
      { host: "127.0.0.1", port: server.port, path: "/busy", origin: "http://x" },
      { onText: () => {}, onClose: () => {} },
    );
    assert.deepEqual(outcome as Refused, { status: 429, retryAfterS: 7, code: "rate_limited" });
  } finally {
    await server.close();
  }
});

Deno.test("openRaw() binds the source address and exchanges text frames", async () => {
  const server = echoServer();
  const texts: string[] = [];
  const closed = Promise.withResolvers<number>();
  let twoTexts = () => {};
  const gotTwo = new Promise<void>((resolve) => (twoTexts = resolve));
  try {
    const socket = await openRaw({
      host: "127.0.0.1",
      port: server.port,
      localAddress: "127.0.0.9",
      path: "/echo",
      origin: "http://x",
    }, {
      onText: (text) => {
        texts.push(text);
        if (texts.length === 2) twoTexts();
      },
      onClose: (code) => closed.resolve(code),
    }) as RawSocket;
    socket.send("a".repeat(70_000));
    await gotTwo;
    assert.equal(texts[0], "hello 127.0.0.9");
    assert.equal(texts[1], `echo ${"a".repeat(70_000)}`);
    socket.close(1000);
    assert.equal(await closed.promise, 1000);
  } finally {
    await server.close();
  }
});
