import assert from "assert";
import fc from "fast-check";
import { startServer, type TestServer } from "../_helpers/server.ts";
import { anyText, fuzzRuns } from "./_fuzz.ts";

/** Requests per property run: the run's requests go out together. */
const BATCH = 10;
const ADMIN = { sub: "root", admin: true };

/** A room id as a path segment: mostly valid, sometimes anything (percent-encoded or raw). */
const roomSegment: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom("fuzz", "fuzz-2"), weight: 6 },
  { arbitrary: fc.stringMatching(/^[A-Za-z0-9._:-]{1,70}$/), weight: 1 },
  {
    arbitrary: anyText(30).map((id) => encodeURIComponent(id.replace(/[\ud800-\udfff]/g, "x"))),
    weight: 1,
  },
  {
    arbitrary: fc.constantFrom("%", "%zz", "%ff", "%C0%AF", "..%2F", "a%00b", "%F0%9F%98%80"),
    weight: 1,
  },
);

/** Values near the room settings' types, and anything. */
const fieldValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  anyText(80),
  fc.array(anyText(20), { maxLength: 5 }),
  fc.constant(null),
);

/** Mostly a valid value, sometimes anything. */
const near = (valid: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> =>
  fc.oneof({ arbitrary: valid, weight: 4 }, { arbitrary: fieldValue, weight: 1 });

const roomBody = fc.record({
  id: near(fc.stringMatching(/^[A-Za-z0-9._:-]{1,64}$/)),
  name: near(fc.string({ minLength: 1, maxLength: 40 })),
  max_clients: near(fc.integer({ min: 0, max: 1000 })),
  is_private: near(fc.boolean()),
  members: near(fc.array(fc.string({ minLength: 1, maxLength: 10 }), { maxLength: 3 })),
  metadata: near(fc.dictionary(anyText(10), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 })),
  ttl_s: near(fc.option(fc.integer({ min: 1, max: 100_000 }))),
  msg_rate: near(fc.option(fc.double({ min: 0.5, max: 1000, noNaN: true }))),
  msg_burst: near(fc.option(fc.integer({ min: 1, max: 1000 }))),
}, { requiredKeys: [] }).chain((value) =>
  fc.oneof(
    { arbitrary: fc.constant(value), weight: 9 },
    { arbitrary: fieldValue.map((other) => ({ ...value, other })), weight: 1 },
  )
);

const messageBody = fc.record({
  type: near(fc.constantFrom("system", "chat", "typing", "presence")),
  data: near(fc.record({ text: near(fc.string({ maxLength: 100 })) }, { requiredKeys: [] })),
}, { requiredKeys: [] });

/** A body: structured near-misses as JSON, any JSON, any text. */
const body = (structured: fc.Arbitrary<unknown>): fc.Arbitrary<string> =>
  fc.oneof(
    { arbitrary: structured.map((value) => JSON.stringify(value)), weight: 6 },
    { arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)), weight: 2 },
    { arbitrary: anyText(200), weight: 2 },
  );

const contentType = fc.oneof(
  { arbitrary: fc.constant("application/json"), weight: 8 },
  { arbitrary: fc.constantFrom("text/plain", "application/json; charset=latin1", ""), weight: 1 },
  { arbitrary: anyText(30).map((t) => t.replace(/[^\x20-\x7e]/g, "")), weight: 1 },
);

/** Query strings of the list and history routes: their parameters with any values. */
const query = (names: string[]): fc.Arbitrary<string> =>
  fc.array(
    fc.tuple(
      fc.oneof(fc.constantFrom(...names), anyText(10)),
      fc.oneof(fc.integer().map(String), fc.double().map(String), anyText(30)),
    ),
    { maxLength: 4 },
  ).map((pairs) =>
    new URLSearchParams(
      pairs.map(([k, v]) => [k.replace(/[\ud800-\udfff]/g, ""), v.replace(/[\ud800-\udfff]/g, "")]),
    ).toString()
  );

interface FuzzRequest {
  method: string;
  path: string;
  body?: string;
  contentType?: string;
}

const request: fc.Arbitrary<FuzzRequest> = fc.oneof(
  fc.record({ body: body(roomBody), contentType }).map((r) => ({
    method: "POST",
    path: "/api/rooms",
    ...r,
  })),
  fc.record({ room: roomSegment, body: body(roomBody), contentType }).map((r) => ({
    method: "PATCH",
    path: `/api/rooms/${r.room}`,
    body: r.body,
    contentType: r.contentType,
  })),
  fc.record({ room: roomSegment, body: body(messageBody), contentType }).map((r) => ({
    method: "POST",
    path: `/api/rooms/${r.room}/messages`,
    body: r.body,
    contentType: r.contentType,
  })),
  fc.record({ room: roomSegment, query: query(["since", "before", "limit"]) }).map((r) => ({
    method: "GET",
    path: `/api/rooms/${r.room}/messages?${r.query}`,
  })),
  fc.record({ query: query(["prefix", "limit", "cursor"]) }).map((r) => ({
    method: "GET",
    path: `/api/rooms?${r.query}`,
  })),
  fc.record({ room: roomSegment, query: query(["cursor", "limit"]) }).map((r) => ({
    method: "GET",
    path: `/api/rooms/${r.room}/members?${r.query}`,
  })),
);

/** Sends one request; checks that it got a success or a defined 4xx JSON error. */
async function check(server: TestServer, token: string, r: FuzzRequest): Promise<void> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (r.contentType !== undefined) headers["content-type"] = r.contentType;
  const response = await fetch(`${server.origin}${r.path}`, {
    method: r.method,
    headers,
    body: r.body,
  });
  const text = await response.text();
  const what = `${r.method} ${r.path} ${r.contentType ?? ""} ${
    r.body ?? ""
  } → ${response.status} ${text}`;
  assert.ok(response.status < 500, what);
  if (response.status < 400) return;
  const parsed = JSON.parse(text);
  assert.equal(typeof parsed.error?.code, "string", what);
  assert.equal(typeof parsed.error?.message, "string", what);
}

Deno.test("every HTTP body and query of the API gets a success or a defined 4xx JSON error, never a 5xx", async () => {
  const server = await startServer();
  try {
    const token = await server.token(ADMIN);
    for (const id of ["fuzz", "fuzz-2"]) {
      const created = await server.request("/api/rooms", {
        method: "POST",
        user: ADMIN,
        body: JSON.stringify({ id }),
      });
      assert.equal(created.status, 201);
      await created.body?.cancel();
    }
    await fc.assert(
      fc.asyncProperty(fc.array(request, { minLength: BATCH, maxLength: BATCH }), async (batch) => {
        await Promise.all(batch.map((r) => check(server, token, r)));
      }),
      { numRuns: Math.ceil(fuzzRuns() / BATCH) },
    );
    const health = await server.request("/healthz");
    assert.equal(health.status, 200);
    await health.body?.cancel();
  } finally {
    await server.close();
  }
});
