import assert from "assert";
import FakeTimers from "@sinonjs/fake-timers";
import { Metrics, type RoomSample } from "../../src/metrics/metrics.ts";
import { histogram, parseExposition, sampleValue } from "./_exposition.ts";

const T0 = 1_000_000;

/** A Metrics on a clock the test moves by hand. */
function manualClock(): { metrics: Metrics; clock: { now: number } } {
  const clock = { now: T0 };
  const metrics = new Metrics({ collectProcess: false, now: () => clock.now });
  return { metrics, clock };
}

Deno.test("Metrics.render() reports exact counter values after calls", async (t) => {
  const metrics = new Metrics({ collectProcess: false });
  try {
    for (let i = 0; i < 3; i++) metrics.connectionAccepted();
    metrics.connectionRejected("unauthorized");
    metrics.connectionClosed(1000);
    metrics.connectionClosed(4001);
    metrics.messageReceived("chat", "lobby", 10);
    metrics.messageReceived("chat", "lobby", 20);
    metrics.messageReceived("chat", "other", 30);
    metrics.messageReceived("typing", "lobby", 5);
    metrics.frameReceived(7);
    metrics.delivered("chat", 5, 100);
    metrics.delivered("chat", 2, 50);
    metrics.error("invalid_message");
    metrics.error("invalid_message");
    metrics.error("forbidden");
    metrics.rateLimited();
    metrics.slowConsumerDisconnect();
    metrics.slowConsumerDisconnect();

    const families = parseExposition(await metrics.render());
    const value = (name: string, labels?: Record<string, string>) =>
      sampleValue(families, name, labels);

    await t.step("connections", () => {
      assert.equal(families.get("roomd_connections")?.type, "GAUGE");
      assert.equal(value("roomd_connections"), 1);
      assert.equal(families.get("roomd_connections_total")?.type, "COUNTER");
      assert.equal(value("roomd_connections_total", { result: "accepted" }), 3);
      assert.equal(value("roomd_connections_total", { result: "unauthorized" }), 1);
      assert.equal(value("roomd_close_codes_total", { code: "1000" }), 1);
      assert.equal(value("roomd_close_codes_total", { code: "4001" }), 1);
    });
    await t.step("messages and bytes", () => {
      assert.equal(value("roomd_messages_received_total", { type: "chat" }), 3);
      assert.equal(value("roomd_messages_received_total", { type: "typing" }), 1);
      assert.equal(value("roomd_bytes_in_total"), 72);
      assert.equal(value("roomd_messages_delivered_total", { type: "chat" }), 7);
      assert.equal(value("roomd_bytes_out_total"), 600);
    });
    await t.step("errors and back-pressure", () => {
      assert.equal(value("roomd_errors_total", { code: "invalid_message" }), 2);
      assert.equal(value("roomd_errors_total", { code: "forbidden" }), 1);
      assert.equal(value("roomd_rate_limited_total"), 1);
      assert.equal(value("roomd_slow_consumer_disconnects_total"), 2);
    });
  } finally {
    metrics.close();
  }
});

Deno.test("Metrics.render() counts each call once however often it is scraped", async () => {
  const metrics = new Metrics({ collectProcess: false });
  try {
    metrics.messageReceived("chat", "lobby", 10);
    await metrics.render();
    await metrics.render();
    metrics.messageReceived("chat", "lobby", 10);
    const families = parseExposition(await metrics.render());
    assert.equal(sampleValue(families, "roomd_messages_received_total", { type: "chat" }), 2);
    assert.equal(sampleValue(families, "roomd_bytes_in_total"), 20);
  } finally {
    metrics.close();
  }
});

Deno.test("Metrics.render() shows zeroed counters before anything happened", async () => {
  const metrics = new Metrics({ collectProcess: false });
  try {
    const families = parseExposition(await metrics.render());
    assert.equal(sampleValue(families, "roomd_connections_total", { result: "accepted" }), 0);
    assert.equal(sampleValue(families, "roomd_rate_limited_total"), 0);
    assert.equal(sampleValue(families, "roomd_bytes_in_total"), 0);
    assert.equal(sampleValue(families, "roomd_rooms"), 0);
    assert.equal(sampleValue(families, "roomd_mailbox_depth"), 0);
  } finally {
    metrics.close();
  }
});

Deno.test("Metrics ignores NaN and negative byte counts instead of breaking the exposition", async () => {
  const metrics = new Metrics({ collectProcess: false });
  try {
    metrics.messageReceived("chat", "lobby", Number.NaN);
    metrics.frameReceived(-5);
    metrics.delivered("chat", 3, Number.POSITIVE_INFINITY);
    const families = parseExposition(await metrics.render());
    assert.equal(sampleValue(families, "roomd_bytes_in_total"), 0);
    assert.equal(sampleValue(families, "roomd_bytes_out_total"), 0);
    assert.equal(sampleValue(families, "roomd_messages_received_total", { type: "chat" }), 1);
    assert.equal(sampleValue(families, "roomd_messages_delivered_total", { type: "chat" }), 3);
  } finally {
    metrics.close();
  }
});

Deno.test("Metrics.render() exposes fine histogram buckets for broadcasts and store writes", async () => {
  const metrics = new Metrics({ collectProcess: false });
  try {
    metrics.observeBroadcast(0.000003);
    metrics.observeBroadcast(0.0004);
    metrics.observeBroadcast(2);
    metrics.observeStoreWrite(0.003);
    const families = parseExposition(await metrics.render());

    const broadcast = histogram(families, "roomd_broadcast_duration_seconds");
    assert.ok(broadcast);
    assert.deepEqual([...broadcast.buckets.keys()].sort((a, b) => Number(a) - Number(b)), [
      "0.000001",
      "0.0000025",
      "0.000005",
      "0.00001",
      "0.000025",
      "0.00005",
      "0.0001",
      "0.00025",
      "0.0005",
      "0.001",
      "0.0025",
      "0.005",
      "0.01",
      "0.025",
      "0.05",
      "0.1",
      "0.25",
      "0.5",
      "1",
      "+Inf",
    ]);
    assert.equal(broadcast.buckets.get("0.0000025"), 0);
    assert.equal(broadcast.buckets.get("0.000005"), 1);
    assert.equal(broadcast.buckets.get("0.00025"), 1);
    assert.equal(broadcast.buckets.get("0.0005"), 2);
    assert.equal(broadcast.buckets.get("1"), 2);
    assert.equal(broadcast.buckets.get("+Inf"), 3);
    assert.equal(broadcast.count, 3);
    assert.ok(Math.abs(broadcast.sum - 2.000403) < 1e-9);

    const store = histogram(families, "roomd_store_write_duration_seconds");
    assert.ok(store);
    assert.equal(store.buckets.get("0.0001"), 0);
    assert.equal(store.buckets.get("0.0025"), 0);
    assert.equal(store.buckets.get("0.005"), 1);
    assert.equal(store.buckets.get("5"), 1);
    assert.equal(store.count, 1);
  } finally {
    metrics.close();
  }
});

Deno.test("Metrics.render() reads rooms, members and the deepest mailbox from the room source", async () => {
  const metrics = new Metrics({ collectProcess: false });
  try {
    let rooms: RoomSample[] = [
      { id: "a", members: 1, connections: 1, mailboxDepth: 0 },
      { id: "b", members: 3, connections: 4, mailboxDepth: 7 },
      { id: "c", members: 40, connections: 41, mailboxDepth: 2 },
    ];
    metrics.setRoomSource(() => rooms);
    let families = parseExposition(await metrics.render());
    assert.equal(sampleValue(families, "roomd_rooms"), 3);
    assert.equal(sampleValue(families, "roomd_mailbox_depth"), 7);
    const members = histogram(families, "roomd_room_members");
    assert.ok(members);
    assert.equal(members.buckets.get("1"), 1);
    assert.equal(members.buckets.get("2"), 1);
    assert.equal(members.buckets.get("5"), 2);
    assert.equal(members.buckets.get("20"), 2);
    assert.equal(members.buckets.get("50"), 3);
    assert.equal(members.count, 3);
    assert.equal(members.sum, 44);

    rooms = [{ id: "b", members: 2, connections: 2, mailboxDepth: 1 }];
    families = parseExposition(await metrics.render());
    assert.equal(sampleValue(families, "roomd_rooms"), 1);
    assert.equal(sampleValue(families, "roomd_mailbox_depth"), 1);
    assert.equal(histogram(families, "roomd_room_members")?.count, 1);
    assert.equal(histogram(families, "roomd_room_members")?.sum, 2);
  } finally {
    metrics.close();
  }
});

Deno.test("Metrics.render() exports real process metrics", async () => {
  const metrics = new Metrics();
  try {
    const families = parseExposition(await metrics.render());
    for (
      const name of [
        "process_resident_memory_bytes",
        "nodejs_heap_size_used_bytes",
        "nodejs_heap_size_total_bytes",
        "process_open_fds",
        "process_start_time_seconds",
        "process_cpu_seconds_total",
      ]
    ) {
      const value = sampleValue(families, name);
      assert.ok(value !== undefined && value > 0, `${name} should be above 0, got ${value}`);
    }
    const prefixed = [...families.keys()].filter((n) => /^roomd_(process|nodejs)_/.test(n));
    assert.deepEqual(prefixed, [], "process figures carry the standard names, unprefixed");
    const uptime = sampleValue(families, "roomd_uptime_seconds");
    assert.ok(uptime !== undefined && uptime >= 0);
    const lag = sampleValue(families, "roomd_event_loop_lag_seconds");
    assert.ok(lag !== undefined && lag >= 0);
  } finally {
    metrics.close();
  }
});

Deno.test({
  name: "Metrics leaves open fds out, rather than reporting 0, when /proc/self/fd is unreadable",
  permissions: { read: true },
  async fn() {
    const metrics = new Metrics();
    try {
      const families = parseExposition(await metrics.render());
      assert.equal(families.has("process_open_fds"), false);
      const rss = sampleValue(families, "process_resident_memory_bytes");
      assert.ok(rss !== undefined && rss > 0);
    } finally {
      metrics.close();
    }
  },
});

Deno.test("Metrics with collectProcess: false exports no process metrics", async () => {
  const metrics = new Metrics({ collectProcess: false });
  try {
    const names = [...parseExposition(await metrics.render()).keys()];
    assert.deepEqual(names.filter((name) => /process|nodejs/.test(name)), []);
  } finally {
    metrics.close();
  }
});

Deno.test("Metrics.stats() computes message and error rates over 1 and 5 minutes", async (t) => {
  const { metrics, clock } = manualClock();
  try {
    for (let i = 0; i < 120; i++) {
      clock.now = T0 + i * 500;
      metrics.messageReceived("chat", "lobby", 10);
      if (i % 4 === 0) metrics.error("invalid_message");
    }
    await t.step("after one minute both windows see 2 messages/s", () => {
      clock.now = T0 + 59_999;
      const { rates } = metrics.stats();
      assert.deepEqual(rates.messages_per_s, { "1m": 2, "5m": 2 });
      assert.deepEqual(rates.errors_per_s, { "1m": 0.5, "5m": 0.5 });
    });
    await t.step("after five quiet minutes the 1m rate is 0 and the 5m rate spreads out", () => {
      clock.now = T0 + 299_999;
      const { rates } = metrics.stats();
      assert.deepEqual(rates.messages_per_s, { "1m": 0, "5m": 0.4 });
      assert.deepEqual(rates.errors_per_s, { "1m": 0, "5m": 0.1 });
    });
    await t.step("after ten minutes both windows are empty", () => {
      clock.now = T0 + 600_000;
      const { rates } = metrics.stats();
      assert.deepEqual(rates.messages_per_s, { "1m": 0, "5m": 0 });
    });
  } finally {
    metrics.close();
  }
});

Deno.test("Metrics.stats() lists the 10 busiest rooms of the last minute, busiest first", () => {
  const { metrics, clock } = manualClock();
  try {
    for (let room = 0; room < 12; room++) {
      for (let i = 0; i <= room; i++) {
        clock.now = T0 + i * 1_000;
        metrics.messageReceived("chat", `room-${room}`, 10);
      }
    }
    clock.now = T0 + 59_999;
    const busiest = metrics.stats().busiest_rooms;
    assert.deepEqual(
      busiest.map((room) => room.id),
      [11, 10, 9, 8, 7, 6, 5, 4, 3, 2].map((n) => `room-${n}`),
    );
    assert.equal(busiest[0].messages_per_s, 0.2);
    assert.equal(busiest[9].messages_per_s, 0.05);

    clock.now = T0 + 180_000;
    assert.deepEqual(metrics.stats().busiest_rooms, []);
  } finally {
    metrics.close();
  }
});

Deno.test("Metrics.stats() reports totals, rooms, uptime and memory", () => {
  const { metrics, clock } = manualClock();
  try {
    metrics.setRoomSource(() => [
      { id: "a", members: 1, connections: 1, mailboxDepth: 0 },
      { id: "b", members: 2, connections: 2, mailboxDepth: 0 },
    ]);
    metrics.connectionAccepted();
    metrics.connectionAccepted();
    metrics.connectionClosed(1000);
    metrics.messageReceived("chat", "a", 10);
    metrics.messageReceived("typing", "a", 10);
    metrics.delivered("chat", 4, 10);
    metrics.error("forbidden");
    metrics.rateLimited();
    metrics.slowConsumerDisconnect();
    clock.now = T0 + 90_500;
    const stats = metrics.stats();
    assert.equal(stats.connections, 1);
    assert.equal(stats.rooms, 2);
    assert.equal(stats.messages_received, 2);
    assert.equal(stats.messages_delivered, 4);
    assert.equal(stats.errors, 1);
    assert.equal(stats.rate_limited, 1);
    assert.equal(stats.slow_consumer_disconnects, 1);
    assert.equal(stats.uptime_s, 90.5);
    assert.ok(stats.memory.rss_bytes > 0);
    assert.ok(stats.memory.heap_used_bytes > 0);
  } finally {
    metrics.close();
  }
});

Deno.test("Metrics.close() stops the event-loop lag sampler and can be called twice", () => {
  // The sampler's timer is unref'd, which Deno's sanitizer does not track: count it on fake
  // timers instead.
  const clock = FakeTimers.withGlobal(globalThis).install({
    toFake: ["setTimeout", "clearTimeout"],
  });
  try {
    const metrics = new Metrics({ collectProcess: false });
    assert.equal(clock.countTimers(), 1);
    clock.tick(1_500);
    assert.equal(clock.countTimers(), 1);
    metrics.close();
    assert.equal(clock.countTimers(), 0);
    metrics.close();
    assert.equal(clock.countTimers(), 0);
  } finally {
    clock.uninstall();
  }
});

Deno.test("Metrics instances keep separate registries", async () => {
  const first = new Metrics({ collectProcess: false });
  const second = new Metrics({ collectProcess: false });
  try {
    first.rateLimited();
    const families = parseExposition(await second.render());
    assert.equal(sampleValue(families, "roomd_rate_limited_total"), 0);
    assert.equal(second.contentType, "text/plain; version=0.0.4; charset=utf-8");
  } finally {
    first.close();
    second.close();
  }
});
