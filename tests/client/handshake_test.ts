import assert from "assert";
import { checkHandshake } from "../../src/client/handshake.ts";

function answering(status: number, body?: unknown, headers: Record<string, string> = {}) {
  const seen: RequestInit[] = [];
  const fetchFn = (_url: string | URL | Request, init?: RequestInit) => {
    seen.push(init ?? {});
    return Promise.resolve(
      body === undefined
        ? new Response(null, { status, headers })
        : Response.json(body, { status, headers }),
    );
  };
  return { fetchFn: fetchFn as typeof fetch, seen };
}

const error = (code: string) => ({ error: { code, message: `Cannot connect: ${code}` } });

Deno.test("checkHandshake sends the token as a Bearer header", async () => {
  const { fetchFn, seen } = answering(204);
  assert.deepEqual(await checkHandshake(fetchFn, "http://x/api/connect/a", "tok"), {
    action: "retry",
  });
  assert.equal(new Headers(seen[0].headers).get("authorization"), "Bearer tok");
});

Deno.test("checkHandshake stops on 403 and 409 with the server's code and message", async () => {
  for (const [status, code] of [[403, "forbidden"], [409, "room_full"]] as const) {
    const verdict = await checkHandshake(answering(status, error(code)).fetchFn, "http://x", "t");
    assert.equal(verdict.action, "stop");
    assert.ok(verdict.action === "stop" && verdict.error.code === code);
  }
});

Deno.test("checkHandshake renews on 401", async () => {
  const verdict = await checkHandshake(answering(401, error("unauthorized")).fetchFn, "u", "t");
  assert.equal(verdict.action, "renew");
});

Deno.test("checkHandshake waits Retry-After seconds on 429 and 503, 5 s without it", async () => {
  const limited = await checkHandshake(
    answering(429, error("rate_limited"), { "retry-after": "3" }).fetchFn,
    "u",
    "t",
  );
  assert.deepEqual(limited.action === "wait" && limited.ms, 3000);
  const draining = await checkHandshake(answering(503, error("shutting_down")).fetchFn, "u", "t");
  assert.deepEqual(draining.action === "wait" && draining.ms, 5000);
});

Deno.test("checkHandshake retries when the server cannot tell (network error, old server's 404)", async () => {
  const down = (() => Promise.reject(new TypeError("refused"))) as typeof fetch;
  assert.equal((await checkHandshake(down, "u", "t")).action, "retry");
  const old = await checkHandshake(answering(404, error("not_found")).fetchFn, "u", "t");
  assert.equal(old.action, "retry");
});
