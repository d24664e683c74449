import assert from "assert";
import { createServer, type IncomingMessage } from "node:http";
import { toRequest } from "../../src/transport/node_request.ts";

/** Sends one request to a node:http server and returns the `Request` it became. */
async function received(init: RequestInit & { path?: string }): Promise<Request> {
  const seen = Promise.withResolvers<Request>();
  const server = createServer((req: IncomingMessage, res) => {
    seen.resolve(toRequest(req, "fallback.invalid:1"));
    res.end("ok");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  try {
    const response = await fetch(`http://127.0.0.1:${port}${init.path ?? "/"}`, init);
    await response.text();
    return await seen.promise;
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
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
