import assert from "assert";
import { connect, systemClock } from "../../src/client/mod.ts";
import { startServer } from "../_helpers/server.ts";
import { until } from "../_helpers/until.ts";
import { denoOptions, type Opened } from "./_options.ts";
import { record } from "./_record.ts";

const opened = (): Opened => ({ sockets: [], protocols: [], checks: [] });

Deno.test("after a 4401 close the client gets a fresh token through getToken and resumes", async () => {
  const server = await startServer();
  try {
    const tokens: string[] = [];
    const client = connect(server.origin, {
      room: "lobby",
      getToken: async () => {
        const token = await server.token({ sub: "alice" }, tokens.length === 0 ? 1 : "1h");
        tokens.push(token);
        return token;
      },
      ...denoOptions(),
      // A clock an hour behind: the client does not see the token expiring and does not
      // refresh it in time, so the server closes with 4401.
      clock: { ...systemClock, now: () => Date.now() - 3_600_000 },
    });
    const events = record(client);
    await events.reach("open");
    const dropped = await events.reach("reconnecting", 0, 5000);
    assert.equal(dropped.reason?.closeCode, 4401);
    assert.equal(dropped.delayMs, 0, "a fresh token is used at once");
    const reopened = await events.reach("open", 2);
    assert.equal(reopened.recovered, true);
    assert.equal(tokens.length, 2);
    const ack = await client.send("chat", { text: "back" });
    assert.equal(typeof ack.id, "number");
    client.close();
  } finally {
    await server.close();
  }
});

Deno.test("before exp the client hands a fresh token to the open connection, which stays open", async () => {
  const server = await startServer();
  try {
    let calls = 0;
    const client = connect(server.origin, {
      room: "lobby",
      getToken: () => server.token({ sub: "alice" }, ++calls === 1 ? 2 : "1h"),
      refreshBeforeMs: 1500,
      ...denoOptions(),
    });
    const events = record(client);
    await events.reach("open");
    await until(() => calls === 2, "the refresh");
    // Past the first token's exp: still the same connection.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    assert.deepEqual(events.states.map((s) => s.state), ["open"]);
    await client.send("chat", { text: "still here" });
    client.close();
  } finally {
    await server.close();
  }
});

Deno.test("a 4401 without getToken closes the client with the reason", async () => {
  const server = await startServer();
  try {
    const client = connect(server.origin, {
      room: "lobby",
      token: await server.token({ sub: "alice" }, 1),
      ...denoOptions(),
    });
    const events = record(client);
    const closed = await events.reach("closed", 0, 5000);
    assert.equal(closed.reason?.closeCode, 4401);
    assert.deepEqual(events.states.map((s) => s.state), ["open", "closed"]);
  } finally {
    await server.close();
  }
});

Deno.test("no reconnect after 4403 (removed from the room)", async () => {
  const server = await startServer();
  try {
    const sockets = opened();
    const client = connect(server.origin, {
      room: "lobby",
      token: await server.token({ sub: "alice" }),
      ...denoOptions(sockets),
    });
    const events = record(client);
    await events.reach("open");
    const pending = client.send("chat", { text: "x" }).catch((error) => error);
    const removed = await server.request("/api/rooms/lobby", {
      method: "DELETE",
      user: { sub: "admin", admin: true },
    });
    assert.equal(removed.status, 204);
    const closed = await events.reach("closed");
    assert.equal(closed.reason?.closeCode, 4403);
    assert.equal(closed.reason?.code, "removed");
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(sockets.sockets.length, 1, "no second socket");
    assert.deepEqual(events.states.map((s) => s.state), ["open", "closed"]);
    const outcome = await pending;
    assert.ok(typeof outcome.timestamp === "string" || outcome.code === "removed", String(outcome));
  } finally {
    await server.close();
  }
});

Deno.test("a refused handshake is explained by GET /api/connect: 403 stops with the server's reason", async () => {
  const server = await startServer();
  try {
    const created = await server.request("/api/rooms", {
      method: "POST",
      user: { sub: "admin", admin: true },
      body: JSON.stringify({ id: "secret", is_private: true }),
    });
    assert.equal(created.status, 201);
    const sockets = opened();
    const client = connect(server.origin, {
      room: "secret",
      token: await server.token({ sub: "alice" }),
      ...denoOptions(sockets),
    });
    const events = record(client);
    const closed = await events.reach("closed");
    assert.equal(closed.reason?.code, "forbidden");
    assert.match(closed.reason!.message, /private/);
    assert.equal(sockets.sockets.length, 1);
    assert.equal(sockets.checks.length, 1);
    assert.match(sockets.checks[0], /\/api\/connect\/secret$/);
  } finally {
    await server.close();
  }
});

Deno.test("a handshake refused with 401 gets one fresh token from getToken, then stops", async () => {
  const server = await startServer();
  try {
    let calls = 0;
    const client = connect(server.origin, {
      room: "lobby",
      getToken: () => {
        calls++;
        return "not-a-token";
      },
      ...denoOptions(),
    });
    const events = record(client);
    const closed = await events.reach("closed");
    assert.equal(closed.reason?.code, "unauthorized");
    assert.equal(calls, 2);
  } finally {
    await server.close();
  }
});

Deno.test("a handshake refused with 429 waits as long as Retry-After says", async () => {
  const server = await startServer({ ROOMD_JOIN_RATE: "1" });
  try {
    const first = connect(server.origin, {
      room: "lobby",
      token: await server.token({ sub: "alice" }),
      ...denoOptions(),
    });
    await record(first).reach("open");
    const second = connect(server.origin, {
      room: "lobby",
      token: await server.token({ sub: "alice" }),
      ...denoOptions(),
    });
    const events = record(second);
    const waiting = await events.reach("reconnecting");
    assert.equal(waiting.reason?.code, "rate_limited");
    assert.ok(waiting.delayMs! >= 1000, `waits ${waiting.delayMs} ms`);
    first.close();
    second.close();
  } finally {
    await server.close();
  }
});
