import assert from "assert";
import { rawUpgrade, readRefusal } from "../_helpers/raw_upgrade.ts";
import { startServer, type TestServer } from "../_helpers/server.ts";
import { until } from "../_helpers/until.ts";
import { ADMIN } from "../http/_room_api.ts";
import { parseExposition, sampleValue } from "../metrics/_exposition.ts";

/** The outcome of one join attempt: the HTTP status (101 when admitted) and how to end it. */
interface Attempt {
  status: number;
  code?: string;
  end(): Promise<void>;
}

/** Joins with a real WebSocket; a refused upgrade shows as an error before `open`. */
async function joinBySocket(server: TestServer, room: string, user: string): Promise<Attempt> {
  const token = await server.token({ sub: user });
  const socket = new WebSocket(`ws://127.0.0.1:${server.port}/ws/${room}?token=${token}`, {
    headers: { origin: server.origin },
  } as unknown as string[]);
  const closed = new Promise<void>((resolve) => socket.addEventListener("close", () => resolve()));
  const opened = await new Promise<boolean>((resolve) => {
    socket.onopen = () => resolve(true);
    socket.onerror = () => resolve(false);
  });
  return {
    status: opened ? 101 : 0,
    end: async () => {
      if (socket.readyState !== WebSocket.CLOSED) socket.close(1000);
      await closed;
    },
  };
}

/**
 * Joins with a hand-written upgrade request over TCP, so the status is visible and an admitted
 * connection stays open (a `fetch` that gets 101 drops the connection at once).
 */
async function joinByRawUpgrade(server: TestServer, room: string, user: string): Promise<Attempt> {
  const token = await server.token({ sub: user });
  const upgrade = await rawUpgrade(server.port, server.origin, `/ws/${room}?token=${token}`);
  const status = upgrade.status;
  if (status === 101) return { status, end: () => Promise.resolve(upgrade.conn.close()) };
  const body = await readRefusal(upgrade);
  return { status, code: body.error.code, end: () => Promise.resolve() };
}

/** Reads `roomd_connections_total{result="…"}` from the metrics. */
async function connectionsTotal(server: TestServer, result: string): Promise<number> {
  const families = parseExposition(await server.metrics.render());
  return sampleValue(families, "roomd_connections_total", { result }) ?? 0;
}

/** Waits until the room holds `connections` open connections (or fails after 5 s). */
function waitForConnections(server: TestServer, room: string, connections: number) {
  return until(
    () => (server.roomd.registry.peek(room)?.connectionCount ?? 0) === connections,
    `room ${room} to reach ${connections} connections`,
  );
}

Deno.test("50 concurrent joins on a room with max_clients 10 admit exactly 10", async () => {
  const server = await startServer();
  try {
    const created = await server.request("/api/rooms", {
      method: "POST",
      user: ADMIN,
      body: JSON.stringify({ id: "small", max_clients: 10 }),
    });
    assert.equal(created.status, 201);

    const attempts = await Promise.all(
      Array.from(
        { length: 50 },
        (_, i) =>
          i % 2 === 0
            ? joinBySocket(server, "small", `user-${i}`)
            : joinByRawUpgrade(server, "small", `user-${i}`),
      ),
    );
    const admitted = attempts.filter((a) => a.status === 101);
    const refused = attempts.filter((a) => a.status !== 101);
    assert.equal(admitted.length, 10);
    assert.equal(refused.length, 40);
    for (const attempt of refused.filter((a) => a.status !== 0)) {
      assert.equal(attempt.status, 409);
      assert.equal(attempt.code, "room_full");
    }
    assert.equal(await connectionsTotal(server, "room_full"), 40);
    await waitForConnections(server, "small", 10);
    const snapshot = await server.roomd.registry.peek("small")!.snapshot();
    assert.equal(snapshot?.connections, 10);

    await Promise.all(attempts.map((a) => a.end()));
    await waitForConnections(server, "small", 0);
  } finally {
    await server.close();
  }
});

Deno.test("50 concurrent joins creating a room on demand respect ROOMD_DEFAULT_MAX_CLIENTS", async () => {
  const server = await startServer({ ROOMD_DEFAULT_MAX_CLIENTS: "10" });
  try {
    const attempts = await Promise.all(
      Array.from({ length: 50 }, (_, i) => joinByRawUpgrade(server, "fresh", `user-${i}`)),
    );
    assert.equal(attempts.filter((a) => a.status === 101).length, 10);
    const refused = attempts.filter((a) => a.status !== 101);
    assert.equal(refused.length, 40);
    assert.ok(refused.every((a) => a.status === 409 && a.code === "room_full"));
    const room = await server.store.getRoom("fresh");
    assert.equal(room?.origin, "auto");
    assert.equal(room?.max_clients, 10);
    await Promise.all(attempts.map((a) => a.end()));
    await waitForConnections(server, "fresh", 0);
  } finally {
    await server.close();
  }
});
