import assert from "assert";
import fc from "fast-check";
import { memberJson, memberListJson } from "../../src/protocol/member_json.ts";
import { encodeWelcome, type WelcomeEnvelope } from "../../src/room/welcome.ts";

const text = fc.string({ unit: "grapheme", maxLength: 12 });
const member = fc.record({ id: text, name: text });
const json = fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<unknown>;

const welcome: fc.Arbitrary<WelcomeEnvelope> = fc.record({
  type: fc.constant("system"),
  room_id: text,
  user_id: fc.constant(null),
  data: fc.record({
    event: fc.constant("welcome" as const),
    room: fc.record({
      id: text,
      name: text,
      metadata: fc.dictionary(text, json, { maxKeys: 3 }),
      max_clients: fc.nat(),
      is_private: fc.boolean(),
    }),
    members: fc.array(member, { maxLength: 8 }),
    count: fc.nat(),
    cursor: fc.option(text, { nil: null }),
    last_id: fc.nat(),
    epoch: text,
    recovered: fc.option(fc.boolean(), { nil: undefined }),
    connection_id: fc.uuid(),
  }),
  timestamp: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
});

Deno.test("a welcome encodes to the text and size JSON.stringify and UTF-8 give it", () => {
  fc.assert(
    fc.property(welcome, (envelope) => {
      const frame = encodeWelcome(envelope);
      assert.equal(frame.text, JSON.stringify(envelope));
      assert.equal(frame.bytes, new TextEncoder().encode(frame.text).length);
    }),
    { numRuns: 1000 },
  );
});

Deno.test("a welcome of a fresh join has no recovered field, a resume's has it", () => {
  const base = fc.sample(welcome, { numRuns: 1, seed: 7 })[0];
  const fresh = JSON.parse(
    encodeWelcome({ ...base, data: { ...base.data, recovered: undefined } }).text,
  );
  assert.ok(!("recovered" in fresh.data));
  const resumed = JSON.parse(
    encodeWelcome({ ...base, data: { ...base.data, recovered: false } }).text,
  );
  assert.equal(resumed.data.recovered, false);
});

Deno.test("a member's JSON is made once per info object and reused by every list", () => {
  const ana = { id: "ana", name: "Ana" };
  const first = memberJson(ana);
  assert.ok(memberJson(ana) === first);
  assert.equal(
    memberListJson([ana, { id: "bo", name: "Bø" }]).text,
    '[{"id":"ana","name":"Ana"},{"id":"bo","name":"Bø"}]',
  );
  assert.deepEqual(memberListJson([]), { text: "[]", bytes: 2 });
});
