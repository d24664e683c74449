import assert from "assert";
import { createServer, type IncomingMessage } from "node:http";
import { toRequest } from "../../src/transport/node_request.ts";

/** Serves one request with node:http, sent by `send`, and returns the `Request` it became. */
async function served(send: (port: number) => Promise<void>): Promise<Request> {
  const seen = Promise.withResolvers<Request>();
  const server = createServer((req: IncomingMessage, res) => {
    seen.resolve(toRequest(req, "fallback.invalid:1"));
    res.end("ok");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  try {
    await send(port);
    return await seen.promise;
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** Sends one request with fetch and returns the `Request` it became. */
function received(init: RequestInit & { path?: string }): Promise<Request> {
  return served(async (port) => {
    const response = await fetch(`http://127.0.0.1:${port}${init.path ?? "/"}`, init);
    await response.text();
  });
}

Deno.test("a node request becomes a Request with its method, URL, every header once and its body", async () => {
  const request = await received({
    method: "POST",
    path: "/api/rooms?x=1",
    headers: { "content-type": "application/json", "x-custom": "a", authorization: "Bearer t" },
    body: '{"id":"lobby"}',
  });
  assert.equal(request.method, "POST");
  assert.match(request.url, /^http:\/\/127\.0\.0\.1:\d+\/api\/rooms\?x=1$/);
  assert.equal(request.headers.get("content-type"), "application/json");
  assert.equal(request.headers.get("x-custom"), "a");
  assert.equal(request.headers.get("authorization"), "Bearer t");
  assert.deepEqual(await request.json(), { id: "lobby" });
});

Deno.test("a GET becomes a Request without a body", async () => {
  const request = await received({ path: "/healthz" });
  assert.equal(request.method, "GET");
  assert.equal(request.body, null);
  assert.ok(request.url.endsWith("/healthz"));
});

/** Sends raw request bytes (up to the blank line) and returns the `Request` they became. */
async function receivedRaw(head: string): Promise<Request> {
  let conn: Deno.Conn | undefined;
  try {
    return await served(async (port) => {
      conn = await Deno.connect({ hostname: "127.0.0.1", port });
      await conn.write(new TextEncoder().encode(`${head}\r\nConnection: close\r\n\r\n`));
    });
  } finally {
    conn?.close();
  }
}

Deno.test("the Host header names the host only: it cannot add a path or query, and a bad one gives way", async () => {
  const cases = [
    ["evil.example/admin?token=stolen", "http://evil.example/ws/lobby?x=1"],
    ["evil.example#frag", "http://evil.example/ws/lobby?x=1"],
    ["user@evil.example", "http://user@evil.example/ws/lobby?x=1"],
    ["bad host", "http://fallback.invalid:1/ws/lobby?x=1"],
    ["[::1]:8080", "http://[::1]:8080/ws/lobby?x=1"],
    ["chat.example:443", "http://chat.example:443/ws/lobby?x=1"],
  ];
  for (const [host, url] of cases) {
    const request = await receivedRaw(`GET /ws/lobby?x=1 HTTP/1.1\r\nHost: ${host}`);
    assert.equal(request.url, url, host);
  }
  const odd = await receivedRaw("GET //other.example/ws/lobby HTTP/1.1\r\nHost: chat.example");
  assert.equal(new URL(odd.url).host, "other.example");
});
