import assert from "assert";
import { mintToken } from "../../src/auth/mint.ts";
import { type ChildServer, startChild, stopChild } from "../_helpers/child_server.ts";
import { openClient } from "../_helpers/client.ts";
import { TEST_SECRET } from "../_helpers/server.ts";
import { until } from "../_helpers/until.ts";

/**
 * A span as OTLP/JSON carries it: `attributes` flattened (the last value of a key wins), and
 * `raw` every attribute as received, duplicates included.
 */
interface CollectedSpan {
  name: string;
  kind: number;
  spanId: string;
  parentSpanId: string;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: Record<string, unknown>;
  raw: Array<[string, unknown]>;
}

interface OtlpAttribute {
  key: string;
  value: Record<string, unknown>;
}

interface OtlpTraces {
  resourceSpans?: Array<{
    scopeSpans?: Array<{
      spans?: Array<
        Omit<CollectedSpan, "attributes"> & {
          attributes?: OtlpAttribute[];
        }
      >;
    }>;
  }>;
}

/** OTLP span kind of a server span. */
const SERVER = 2;

/** A tiny OTLP/HTTP JSON collector: keeps every span posted to /v1/traces, and every body. */
function startCollector(): {
  server: Deno.HttpServer<Deno.NetAddr>;
  spans: CollectedSpan[];
  bodies: string[];
} {
  const spans: CollectedSpan[] = [];
  const bodies: string[] = [];
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, async (req) => {
    const body = await req.text();
    bodies.push(body);
    if (new URL(req.url).pathname === "/v1/traces") {
      const traces = JSON.parse(body) as OtlpTraces;
      for (const resource of traces.resourceSpans ?? []) {
        for (const scope of resource.scopeSpans ?? []) {
          for (const span of scope.spans ?? []) {
            const raw = (span.attributes ?? []).map((a): [string, unknown] => [
              a.key,
              Object.values(a.value)[0],
            ]);
            spans.push({ ...span, attributes: Object.fromEntries(raw), raw });
          }
        }
      }
    }
    return Response.json({});
  });
  return { server, spans, bodies };
}

Deno.test("with OTEL_DENO=true, HTTP request and connection spans reach an OTLP collector with the room id", async (t) => {
  const collector = startCollector();
  const dataDir = await Deno.makeTempDir({ prefix: "roomd-otel-" });
  let child: ChildServer | undefined;
  const user = await mintToken(TEST_SECRET, { sub: "alice" }, "1h");
  const admin = await mintToken(TEST_SECRET, { sub: "root", admin: true }, "1h");
  const browser = await mintToken(TEST_SECRET, { sub: "bob" }, "1h");
  const subprotocol = await mintToken(TEST_SECRET, { sub: "carol" }, "1h");
  try {
    child = await startChild({
      ROOMD_DATA_DIR: dataDir,
      OTEL_DENO: "true",
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${collector.server.addr.port}`,
      OTEL_SERVICE_NAME: "roomd-test",
    });
    const client = await openClient(`ws://127.0.0.1:${child.port}/ws/otel-room`, {
      Origin: child.origin,
      Authorization: `Bearer ${user}`,
    });
    await client.nextOfType("system");
    client.send({ type: "chat", data: { text: "traced" } });
    await client.nextOfType("ack");
    await client.close();
    const fromBrowser = await openClient(
      `ws://127.0.0.1:${child.port}/ws/otel-room?token=${browser}&x=1`,
      { Origin: child.origin },
    );
    await fromBrowser.nextOfType("system");
    await fromBrowser.close();
    const viaProtocol = await openClient(`ws://127.0.0.1:${child.port}/ws/otel-room?x=2`, {
      Origin: child.origin,
    }, ["roomd", `roomd.token.${subprotocol}`]);
    await viaProtocol.nextOfType("system");
    await viaProtocol.close();
    const room = await fetch(`${child.origin}/api/rooms/otel-room`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    assert.equal(room.status, 200);
    await room.body?.cancel();
    await (await fetch(`${child.origin}/healthz`)).body?.cancel();
    // Deno exports in batches and flushes the rest when the process exits.
    child.kill("SIGTERM");
    assert.equal((await child.exited).code, 0);
    const spans = collector.spans;
    const serverSpan = (path: string) =>
      spans.find((s) => s.kind === SERVER && s.attributes["url.path"] === path);
    await until(
      () => spans.some((s) => s.name === "roomd.connection") && !!serverSpan("/healthz"),
      "the spans to be exported",
    );

    await t.step("the upgrade request span has the route and the room id", () => {
      const upgrade = serverSpan("/ws/otel-room");
      assert.ok(upgrade, "no server span for /ws/otel-room");
      assert.equal(upgrade.attributes["http.route"], "/ws/:room_id");
      assert.equal(upgrade.attributes["roomd.room_id"], "otel-room");
    });
    await t.step("the connection span lasts the connection and is its upgrade's child", () => {
      const connection = spans.find((s) =>
        s.name === "roomd.connection" && s.attributes["enduser.id"] === "alice"
      );
      assert.ok(connection, "no connection span for alice");
      assert.equal(connection.attributes["roomd.room_id"], "otel-room");
      assert.match(String(connection.attributes["roomd.connection_id"]), /^[0-9a-f-]{36}$/);
      assert.equal(Number(connection.attributes["roomd.close_code"]), 1000);
      const upgrade = spans.find((s) => s.spanId === connection.parentSpanId);
      assert.equal(upgrade?.attributes["url.path"], "/ws/otel-room");
      assert.equal(upgrade?.attributes["url.query"], "", "alice's upgrade carried no query");
      assert.ok(BigInt(connection.endTimeUnixNano) > BigInt(connection.startTimeUnixNano));
    });
    await t.step("an API request about a room carries its id; one about none does not", () => {
      const api = serverSpan("/api/rooms/otel-room");
      assert.ok(api, "no server span for /api/rooms/otel-room");
      assert.equal(api.attributes["roomd.room_id"], "otel-room");
      const health = serverSpan("/healthz");
      assert.equal(health?.attributes["http.route"], "/healthz");
      assert.equal(health?.attributes["roomd.room_id"], undefined);
    });
    await t.step(
      "a token in the Authorization header or the roomd.token. subprotocol never reaches the collector",
      () => {
        const exported = collector.bodies.join("\n");
        assert.ok(exported.includes("carol"), "the subprotocol connection's span was exported");
        for (const token of [user, admin, subprotocol]) assert.ok(!exported.includes(token));
      },
    );
    await t.step(
      "a ?token= reaches the collector in the runtime's own URL attributes (Deno 2.9.6 keeps them; use the subprotocol when tracing)",
      () => {
        const upgrade = spans.find((s) =>
          s.kind === SERVER && String(s.attributes["url.query"]).includes("x=1")
        );
        assert.ok(upgrade, "no request span for the ?token= upgrade");
        const fulls = upgrade.raw.filter(([key]) => key === "url.full").map(([, v]) => String(v));
        assert.equal(fulls.length, 2, "url.full is recorded twice: the runtime's, then roomd's");
        assert.ok(fulls[0].includes(browser), "the runtime's copy no longer holds the token");
        assert.ok(!fulls[1].includes(browser));
      },
    );
    await t.step("the last copy of a URL with a token is masked, the rest kept", () => {
      const upgrades = spans.filter((s) =>
        s.kind === SERVER && s.attributes["url.path"] === "/ws/otel-room"
      );
      const masked = upgrades.find((s) => String(s.attributes["url.query"]).includes("token"));
      assert.ok(masked, "no request span with a query");
      assert.equal(masked.attributes["url.query"], "token=REDACTED&x=1");
      assert.equal(
        masked.attributes["url.full"],
        `${child!.origin}/ws/otel-room?token=REDACTED&x=1`,
      );
    });
  } finally {
    if (child) await stopChild(child);
    await collector.server.shutdown();
    await Deno.remove(dataDir, { recursive: true });
  }
});
