import assert from "assert";
import { announcesLeave } from "../_helpers/presence.ts";
import { utf8Length } from "../../src/protocol/utf8_length.ts";
import { startChild, stopChild } from "../_helpers/child_server.ts";
import type { Msg, TestClient } from "../_helpers/client.ts";
import { startServer, type TestServer, upgradeHeaders } from "../_helpers/server.ts";
import { until } from "../_helpers/until.ts";
import {
  histogram,
  type ParsedFamily,
  parseExposition,
  sampleValue,
} from "../metrics/_exposition.ts";

type Families = Map<string, ParsedFamily>;

async function scrape(server: TestServer, init: RequestInit = {}): Promise<Families> {
  const res = await server.request("/metrics", init);
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
  return parseExposition(await res.text());
}

/**
 * The frames a client received, as the server wrote them: the server serializes with
 * `JSON.stringify`, and parsing then serializing again gives the same text for these frames.
 */
function framesOf(client: TestClient): string[] {
  return client.received.map((m) => JSON.stringify(m));
}

function bytesOf(frames: string[]): number {
  return frames.reduce((sum, frame) => sum + utf8Length(frame), 0);
}

Deno.test("GET /metrics counters move by exactly what a scripted session did", async (t) => {
  // Burst 2 at one token per 2 s: a third message sent at once is refused, and one refusal is
  // far from flooding (that needs rate × 4 = 2 refusals in a row).
  const server = await startServer({ ROOMD_MSG_RATE: "0.5", ROOMD_MSG_BURST: "2" });
  try {
    const before = await scrape(server);
    const refused = await fetch(
      `${server.origin}/ws/lobby?token=not-a-token`,
      { headers: upgradeHeaders(server.origin) },
    );
    assert.equal(refused.status, 401);
    await refused.body?.cancel();

    const alice = await server.connect("lobby", { sub: "alice" });
    await alice.nextOfType("system");
    const bob = await server.connect("lobby", { sub: "bob" });
    await bob.nextOfType("system");
    await alice.nextOfType("presence");

    const sent = [1, 2, 3].map((n) => JSON.stringify({ type: "chat", data: { text: `m${n}` } }));
    for (const frame of sent) alice.send(frame);
    // The refusal is immediate while acks wait for the commit: their order is not fixed.
    await until(
      () => ofType(alice, "ack").length === 2 && ofType(alice, "error").length === 1,
      "2 acks and 1 error",
    );
    assert.equal(ofType(alice, "error")[0].data.code, "rate_limited");
    await bob.nextOfType("chat");
    await bob.nextOfType("chat");
    const invalid = "{not json";
    bob.send(invalid);
    assert.equal((await bob.nextOfType("error")).data.code, "invalid_message");

    await t.step("while both are connected: one room, two connections, two members", async () => {
      const during = await scrape(server);
      assert.equal(sampleValue(during, "roomd_connections"), 2);
      assert.equal(sampleValue(during, "roomd_rooms"), 1);
      const members = histogram(during, "roomd_room_members");
      assert.equal(members?.count, 1);
      assert.equal(members?.sum, 2);
    });

    await bob.close();
    await alice.next((m) => announcesLeave(m, "bob"));
    await alice.close();
    await until(() => server.metrics.stats().connections === 0, "both closes to be counted");
    const after = await scrape(server);
    const delta = (name: string, labels?: Record<string, string>) =>
      (sampleValue(after, name, labels) ?? 0) - (sampleValue(before, name, labels) ?? 0);

    await t.step("connections: 2 accepted, 1 refused as unauthorized, 2 closed with 1000", () => {
      assert.equal(delta("roomd_connections_total", { result: "accepted" }), 2);
      assert.equal(delta("roomd_connections_total", { result: "unauthorized" }), 1);
      assert.equal(delta("roomd_close_codes_total", { code: "1000" }), 2);
      assert.equal(sampleValue(after, "roomd_connections"), 0);
    });
    await t.step("received: 2 chats; the refused and the invalid frame are not messages", () => {
      assert.equal(delta("roomd_messages_received_total", { type: "chat" }), 2);
      assert.equal(sumOf(after, "roomd_messages_received_total"), 2);
      assert.equal(delta("roomd_bytes_in_total"), bytesOf([...sent, invalid]));
    });
    await t.step("errors: one rate_limited, one invalid_message", () => {
      assert.equal(delta("roomd_rate_limited_total"), 1);
      assert.equal(delta("roomd_errors_total", { code: "rate_limited" }), 1);
      assert.equal(delta("roomd_errors_total", { code: "invalid_message" }), 1);
      assert.equal(sumOf(after, "roomd_errors_total"), 2);
      assert.equal(delta("roomd_slow_consumer_disconnects_total"), 0);
    });
    await t.step("delivered: each frame a client got, by type, and their bytes", () => {
      assert.equal(delta("roomd_messages_delivered_total", { type: "system" }), 2);
      // Joins within one presence tick share a frame: 2 or 3 frames, as the clients saw.
      const presence = ofType(alice, "presence").length + ofType(bob, "presence").length;
      assert.equal(delta("roomd_messages_delivered_total", { type: "presence" }), presence);
      assert.equal(delta("roomd_messages_delivered_total", { type: "chat" }), 2);
      assert.equal(delta("roomd_messages_delivered_total", { type: "ack" }), 2);
      assert.equal(delta("roomd_messages_delivered_total", { type: "error" }), 2);
      const frames = [...framesOf(alice), ...framesOf(bob)];
      assert.equal(frames.length, 8 + presence);
      assert.equal(delta("roomd_bytes_out_total"), bytesOf(frames));
    });
    await t.step("timings: two broadcasts and two store writes observed", () => {
      assert.equal(histogram(after, "roomd_broadcast_duration_seconds")?.count, 2);
      assert.equal(histogram(after, "roomd_store_write_duration_seconds")?.count, 2);
      for (const name of ["roomd_event_loop_lag_seconds", "roomd_uptime_seconds"]) {
        assert.equal(after.get(name)?.type, "GAUGE", name);
      }
    });
  } finally {
    await server.close();
  }
});

Deno.test("GET /metrics needs the metrics token when ROOMD_METRICS_TOKEN is set", async (t) => {
  const server = await startServer({ ROOMD_METRICS_TOKEN: "scrape-token-42" });
  try {
    await t.step("no token, a wrong token or a user's JWT → 401", async () => {
      const admin = `Bearer ${await server.token({ sub: "root", admin: true })}`;
      for (const authorization of [null, "Bearer wrong-token", "scrape-token-42", admin]) {
        const headers: HeadersInit = authorization === null ? {} : { authorization };
        const res = await server.request("/metrics", { headers });
        assert.equal(res.status, 401, String(authorization));
        assert.equal((await res.json()).error.code, "unauthorized");
        assert.match(res.headers.get("www-authenticate") ?? "", /^Bearer/);
      }
    });
    await t.step("the right bearer token → 200 with the exposition", async () => {
      const families = await scrape(server, {
        headers: { authorization: "Bearer scrape-token-42" },
      });
      assert.equal(families.get("roomd_connections_total")?.type, "COUNTER");
    });
  } finally {
    await server.close();
  }
});

Deno.test("GET /metrics is open when no metrics token is set", async () => {
  const server = await startServer();
  try {
    const families = await scrape(server);
    assert.equal(sampleValue(families, "roomd_connections"), 0);
  } finally {
    await server.close();
  }
});

Deno.test("a real server exports process metrics: memory, heap, open fds, CPU, uptime", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "roomd-metrics-" });
  const child = await startChild({ ROOMD_DATA_DIR: dataDir });
  try {
    const res = await fetch(`${child.origin}/metrics`);
    assert.equal(res.status, 200);
    const families = parseExposition(await res.text());
    for (
      const name of [
        "process_resident_memory_bytes",
        "nodejs_heap_size_used_bytes",
        "process_open_fds",
        "process_cpu_seconds_total",
        "process_start_time_seconds",
      ]
    ) {
      const value = sampleValue(families, name);
      assert.ok(value !== undefined && value > 0, `${name} = ${value}`);
    }
    const uptime = sampleValue(families, "roomd_uptime_seconds");
    assert.ok(uptime !== undefined && uptime >= 0);
  } finally {
    await stopChild(child);
    await Deno.remove(dataDir, { recursive: true });
  }
});

function ofType(client: TestClient, type: string): Msg[] {
  return client.received.filter((m) => m.type === type);
}

function sumOf(families: Families, name: string): number {
  return (families.get(name)?.metrics ?? []).reduce((sum, m) => sum + Number(m.value ?? 0), 0);
}

Deno.test("history replies count as delivered frames of type history", async () => {
  const server = await startServer();
  try {
    const alice = await server.connect("lobby", { sub: "alice" });
    await alice.nextOfType("system");
    const before = await scrape(server);
    alice.send({ type: "history", data: { limit: 10 }, ref: "h" });
    await alice.nextOfType("history");
    const after = await scrape(server);
    const count = (m: typeof after) =>
      sampleValue(m, "roomd_messages_delivered_total", { type: "history" }) ?? 0;
    assert.equal(count(after) - count(before), 1);
    await alice.close();
  } finally {
    await server.close();
  }
});
