import assert from "assert";
import { startServer } from "../_helpers/server.ts";
import { ADMIN } from "./_room_api.ts";

const PAGE = "https://chat.example";

Deno.test("the HTTP API answers CORS for allowed origins only", async (t) => {
  const server = await startServer({ ROOMD_PUBLIC_ORIGINS: PAGE });
  const token = await server.token(ADMIN);
  try {
    await t.step("a preflight from an allowed origin → 204 with the CORS headers", async () => {
      const res = await fetch(`${server.origin}/api/rooms`, {
        method: "OPTIONS",
        headers: {
          origin: PAGE,
          "access-control-request-method": "POST",
          "access-control-request-headers": "authorization, content-type",
        },
      });
      assert.equal(res.status, 204);
      assert.equal(res.headers.get("access-control-allow-origin"), PAGE);
      assert.equal(res.headers.get("access-control-allow-methods"), "GET, POST, OPTIONS");
      assert.equal(
        res.headers.get("access-control-allow-headers"),
        "authorization, content-type, idempotency-key",
      );
      assert.equal(res.headers.get("access-control-max-age"), "600");
      assert.equal(res.headers.get("vary"), "Origin");
      await res.body?.cancel();
    });
    await t.step("the server's own loopback origin is allowed too", async () => {
      const res = await fetch(`${server.origin}/api/rooms/lobby`, {
        method: "OPTIONS",
        headers: { origin: server.origin, "access-control-request-method": "PATCH" },
      });
      assert.equal(res.status, 204);
      assert.equal(res.headers.get("access-control-allow-methods"), "GET, PATCH, DELETE, OPTIONS");
      await res.body?.cancel();
    });
    await t.step("a request from an allowed origin gets its origin echoed", async () => {
      const res = await fetch(`${server.origin}/api/rooms`, {
        headers: { origin: PAGE, authorization: `Bearer ${token}` },
      });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("access-control-allow-origin"), PAGE);
      assert.equal(res.headers.get("access-control-expose-headers"), "retry-after");
      assert.equal(res.headers.get("vary"), "Origin");
      await res.body?.cancel();
    });
    await t.step("an error answer to an allowed origin carries CORS headers too", async () => {
      const res = await fetch(`${server.origin}/api/rooms`, { headers: { origin: PAGE } });
      assert.equal(res.status, 401);
      assert.equal(res.headers.get("access-control-allow-origin"), PAGE);
      await res.body?.cancel();
    });
    await t.step("a disallowed origin gets no CORS headers", async () => {
      for (const origin of ["https://evil.example", "http://chat.example", "null"]) {
        const preflight = await fetch(`${server.origin}/api/rooms`, {
          method: "OPTIONS",
          headers: { origin, "access-control-request-method": "GET" },
        });
        assert.equal(preflight.status, 403, origin);
        assert.equal((await preflight.json()).error.code, "origin_not_allowed");
        assert.equal(preflight.headers.get("access-control-allow-origin"), null);
        const res = await fetch(`${server.origin}/api/rooms`, {
          headers: { origin, authorization: `Bearer ${token}` },
        });
        assert.equal(res.status, 200);
        assert.equal(res.headers.get("access-control-allow-origin"), null);
        await res.body?.cancel();
      }
    });
    await t.step("OPTIONS is no longer 405 on the API; unknown API paths stay 404", async () => {
      const res = await fetch(`${server.origin}/api/rooms/lobby/messages`, {
        method: "OPTIONS",
        headers: { origin: PAGE, "access-control-request-method": "POST" },
      });
      assert.equal(res.status, 204);
      await res.body?.cancel();
      const missing = await fetch(`${server.origin}/api/nowhere`, {
        method: "OPTIONS",
        headers: { origin: PAGE },
      });
      assert.equal(missing.status, 404);
      await missing.body?.cancel();
    });
    await t.step("routes outside /api/ answer no CORS", async () => {
      const res = await fetch(`${server.origin}/healthz`, { headers: { origin: PAGE } });
      assert.equal(res.headers.get("access-control-allow-origin"), null);
      await res.body?.cancel();
    });
  } finally {
    await server.close();
  }
});
