/**
 * Shared settings and generators of the property-based (fast-check) security tests.
 *
 * @module
 */
import fc from "fast-check";

/**
 * Inputs per property: 1,000 by default (CI), `ROOMD_FUZZ_RUNS` when set (10,000 for a
 * nightly-sized run).
 *
 * @returns The run count.
 */
export function fuzzRuns(): number {
  const raw = Deno.env.get("ROOMD_FUZZ_RUNS");
  const runs = raw === undefined ? 1000 : Number(raw);
  if (!Number.isInteger(runs) || runs < 1) throw new RangeError(`Invalid ROOMD_FUZZ_RUNS=${raw}`);
  return runs;
}

/** Strings of any UTF-16 units, lone surrogates and control characters included. */
export const anyText = (maxLength = 100): fc.Arbitrary<string> =>
  fc.string({ unit: "binary", maxLength });

/** Type names a client might try: built-in, declared, server-only, or anything. */
export const typeName: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    "chat",
    "history",
    "typing",
    "reaction",
    "system",
    "presence",
    "ack",
    "error",
    "welcome",
    "members",
    "refresh",
  ),
  anyText(40),
  fc.jsonValue({ maxDepth: 1 }),
);

/** `data` shapes near the valid ones, and anything. */
const dataValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.record({ text: fc.oneof(anyText(200), fc.jsonValue({ maxDepth: 1 })) }, {
    requiredKeys: [],
  }),
  fc.record({
    before: fc.oneof(fc.integer(), fc.double(), fc.string()),
    since: fc.oneof(fc.integer(), fc.double(), fc.string()),
    limit: fc.oneof(fc.integer(), fc.double(), fc.string()),
  }, { requiredKeys: [] }),
  fc.record({ on: fc.jsonValue({ maxDepth: 1 }), emoji: anyText(12) }, { requiredKeys: [] }),
  fc.jsonValue({ maxDepth: 3 }),
);

/** Frames a client might send: structured near-misses, any JSON, any text. */
export const textFrame: fc.Arbitrary<string> = fc.oneof(
  {
    arbitrary: fc.record({
      type: typeName,
      data: dataValue,
      ref: fc.oneof(anyText(80), fc.jsonValue({ maxDepth: 1 })),
      cid: fc.oneof(anyText(80), fc.jsonValue({ maxDepth: 1 })),
      extra: fc.jsonValue({ maxDepth: 1 }),
    }, { requiredKeys: [] }).map((frame) => JSON.stringify(frame)),
    weight: 6,
  },
  { arbitrary: fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value)), weight: 2 },
  { arbitrary: anyText(300), weight: 2 },
);
