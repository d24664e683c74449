import assert from "assert";
import { openClient, type TestClient } from "../_helpers/client.ts";
import { startServer, type TestServer, upgradeHeaders } from "../_helpers/server.ts";
import { until } from "../_helpers/until.ts";
import { parseExposition, sampleValue } from "../metrics/_exposition.ts";

/** Opens a real WebSocket as `user`, with extra request headers. */
async function open(
  server: TestServer,
  user: string,
  headers: Record<string, string> = {},
): Promise<TestClient> {
  const token = await server.token({ sub: user });
  return openClient(`ws://127.0.0.1:${server.port}/ws/lobby?token=${token}`, {
    Origin: server.origin,
    ...headers,
  });
}

/** An upgrade request that is expected to be refused: its status and error code. */
async function refusal(
  server: TestServer,
  user: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; code: string; message: string; retryAfter: string | null }> {
  const token = await server.token({ sub: user });
  const res = await fetch(`${server.origin}/ws/lobby?token=${token}`, {
    headers: { ...upgradeHeaders(server.origin), ...headers },
  });
  assert.notEqual(res.status, 101, "the upgrade was expected to be refused");
  const body = await res.json();
  return {
    status: res.status,
    code: body.error.code,
    message: body.error.message,
    retryAfter: res.headers.get("retry-after"),
  };
}

async function closeAll(clients: TestClient[]): Promise<void> {
  await Promise.all(clients.map((client) => client.close()));
}

async function rejectedWith(server: TestServer, code: string): Promise<number> {
  const text = await (await server.request("/metrics")).text();
  return sampleValue(parseExposition(text), "roomd_connections_total", { result: code }) ?? 0;
}

Deno.test("ROOMD_MAX_CONNECTIONS refuses the next connection with 503 server_full", async () => {
  const server = await startServer({ ROOMD_MAX_CONNECTIONS: "2" });
  const clients: TestClient[] = [];
  try {
    clients.push(await open(server, "a"), await open(server, "b"));
    const refused = await refusal(server, "c");
    assert.deepEqual([refused.status, refused.code, refused.retryAfter], [503, "server_full", "5"]);
    assert.match(refused.message, /server is full \(2 of 2 connections\)/);
    await clients.pop()!.close();
    await until(() => server.metrics.stats().connections === 1, "the slot to be released");
    clients.push(await open(server, "c"));
  } finally {
    await closeAll(clients);
    await server.close();
  }
});

Deno.test("ROOMD_MAX_CONNECTIONS_PER_USER refuses that user with 429 but not others", async () => {
  const server = await startServer({ ROOMD_MAX_CONNECTIONS_PER_USER: "2" });
  const clients: TestClient[] = [];
  try {
    clients.push(await open(server, "ann"), await open(server, "ann"));
    const refused = await refusal(server, "ann");
    assert.deepEqual([refused.status, refused.code, refused.retryAfter], [
      429,
      "too_many_connections",
      "5",
    ]);
    assert.match(refused.message, /user has too many connections \(2 of 2\)/);
    clients.push(await open(server, "ben"));
  } finally {
    await closeAll(clients);
    await server.close();
  }
});

Deno.test("ROOMD_MAX_CONNECTIONS_PER_IP refuses the address with 429 whoever connects", async () => {
  const server = await startServer({ ROOMD_MAX_CONNECTIONS_PER_IP: "2" });
  const clients: TestClient[] = [];
  try {
    clients.push(await open(server, "a"), await open(server, "b"));
    const refused = await refusal(server, "c");
    assert.deepEqual([refused.status, refused.code], [429, "too_many_connections"]);
    assert.match(refused.message, /address has too many connections \(2 of 2\)/);
  } finally {
    await closeAll(clients);
    await server.close();
  }
});

Deno.test("X-Forwarded-For is ignored unless ROOMD_TRUST_PROXY=true", async (t) => {
  await t.step("untrusted: every forwarded address counts as the peer's", async () => {
    const server = await startServer({ ROOMD_MAX_CONNECTIONS_PER_IP: "1" });
    const clients: TestClient[] = [];
    try {
      clients.push(await open(server, "a", { "x-forwarded-for": "203.0.113.1" }));
      const refused = await refusal(server, "b", { "x-forwarded-for": "203.0.113.2" });
      assert.deepEqual([refused.status, refused.code], [429, "too_many_connections"]);
    } finally {
      await closeAll(clients);
      await server.close();
    }
  });
  await t.step("trusted: the first forwarded address is the client's", async () => {
    const server = await startServer({
      ROOMD_MAX_CONNECTIONS_PER_IP: "1",
      ROOMD_TRUST_PROXY: "true",
    });
    const clients: TestClient[] = [];
    try {
      clients.push(await open(server, "a", { "x-forwarded-for": "203.0.113.1, 10.0.0.1" }));
      clients.push(await open(server, "b", { "x-forwarded-for": "203.0.113.2, 10.0.0.1" }));
      const refused = await refusal(server, "c", { "x-forwarded-for": "203.0.113.1" });
      assert.deepEqual([refused.status, refused.code], [429, "too_many_connections"]);
    } finally {
      await closeAll(clients);
      await server.close();
    }
  });
});

Deno.test("a burst of concurrent connection attempts never overshoots a limit", async (t) => {
  const cases = [
    {
      variable: "ROOMD_MAX_CONNECTIONS",
      limit: 5,
      user: (i: number) => `u${i}`,
      code: "server_full",
    },
    {
      variable: "ROOMD_MAX_CONNECTIONS_PER_USER",
      limit: 3,
      user: () => "same",
      code: "too_many_connections",
    },
    {
      variable: "ROOMD_MAX_CONNECTIONS_PER_IP",
      limit: 4,
      user: (i: number) => `u${i}`,
      code: "too_many_connections",
    },
  ];
  for (const { variable, limit, user, code } of cases) {
    await t.step(
      `${variable}=${limit}: 30 at once → exactly ${limit} open`,
      async () => {
        const server = await startServer({ [variable]: String(limit) });
        const attempts = await Promise.allSettled(
          Array.from({ length: 30 }, (_, i) => open(server, user(i))),
        );
        const clients = attempts.flatMap((a) => a.status === "fulfilled" ? [a.value] : []);
        try {
          assert.equal(clients.length, limit);
          assert.equal(await rejectedWith(server, code), 30 - limit);
          assert.equal(server.metrics.stats().connections, limit);
        } finally {
          await closeAll(clients);
          await server.close();
        }
      },
    );
  }
});

Deno.test("a user's connection slot is free again once the connection closes", async () => {
  const server = await startServer({ ROOMD_MAX_CONNECTIONS_PER_USER: "1" });
  const clients: TestClient[] = [];
  try {
    const first = await open(server, "ann");
    assert.equal((await refusal(server, "ann")).code, "too_many_connections");
    await first.close();
    const token = await server.token({ sub: "ann" });
    await until(async () => {
      const res = await fetch(`${server.origin}/api/connect/lobby?token=${token}`);
      await res.body?.cancel();
      return res.status === 204;
    }, "the slot released");
    clients.push(await open(server, "ann"));
  } finally {
    await closeAll(clients);
    await server.close();
  }
});
