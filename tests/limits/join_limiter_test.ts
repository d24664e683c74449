import assert from "assert";
import { JOIN_WINDOW_MS, JoinLimiter, SWEEP_AT } from "../../src/limits/join_limiter.ts";

Deno.test("JoinLimiter allows `limit` attempts per key, then answers seconds to wait", () => {
  let now = 0;
  const joins = new JoinLimiter(3, () => now);
  assert.deepEqual([1, 2, 3].map(() => joins.attempt("ip:1")), [0, 0, 0]);
  const wait = joins.attempt("ip:1");
  assert.equal(wait, Math.ceil(JOIN_WINDOW_MS / 3 / 1000));
  assert.equal(joins.attempt("ip:2"), 0, "another key has its own budget");
  now += JOIN_WINDOW_MS / 3;
  assert.equal(joins.attempt("ip:1"), 0, "one attempt refills after a third of the window");
  assert.ok(joins.attempt("ip:1") > 0);
});

Deno.test("JoinLimiter never answers less than one second while refusing", () => {
  let now = 0;
  const joins = new JoinLimiter(1000, () => now);
  for (let i = 0; i < 1000; i++) assert.equal(joins.attempt("user:7"), 0);
  assert.equal(joins.attempt("user:7"), 1);
  now += JOIN_WINDOW_MS;
  assert.equal(joins.attempt("user:7"), 0);
});

Deno.test("JoinLimiter.peek() answers what attempt() would, without counting an attempt", () => {
  let now = 0;
  const joins = new JoinLimiter(2, () => now);
  for (let i = 0; i < 5; i++) assert.equal(joins.peek("ip:1"), 0);
  assert.deepEqual([joins.attempt("ip:1"), joins.attempt("ip:1")], [0, 0]);
  const wait = joins.peek("ip:1");
  assert.equal(wait, Math.ceil(JOIN_WINDOW_MS / 2 / 1000));
  assert.equal(joins.peek("ip:1"), wait, "peeking twice takes nothing");
  now += JOIN_WINDOW_MS / 2;
  assert.equal(joins.peek("ip:1"), 0);
  assert.equal(joins.attempt("ip:1"), 0);
});

Deno.test("JoinLimiter refills part of the budget in proportion to the time waited", () => {
  let now = 1_000_000;
  const joins = new JoinLimiter(4, () => now);
  for (let i = 0; i < 4; i++) assert.equal(joins.attempt("user:9"), 0);
  assert.equal(joins.attempt("user:9"), Math.ceil(JOIN_WINDOW_MS / 4 / 1000));
  now += JOIN_WINDOW_MS / 2;
  assert.deepEqual([joins.attempt("user:9"), joins.attempt("user:9")], [0, 0], "half a window");
  assert.equal(joins.attempt("user:9"), Math.ceil(JOIN_WINDOW_MS / 4 / 1000));
  now += 10 * JOIN_WINDOW_MS;
  const burst = [1, 2, 3, 4, 5].map(() => joins.attempt("user:9"));
  assert.deepEqual(burst, [0, 0, 0, 0, 3], "a long wait refills no more than the limit");
});

Deno.test("JoinLimiter counts exactly at a limit as high as a benchmark sets, on a wall clock", () => {
  const now = 1_800_000_000_000;
  const joins = new JoinLimiter(1_000_000, () => now);
  let allowed = 0;
  while (allowed <= 1_000_000 && joins.attempt("ip:127.0.0.1") === 0) allowed++;
  assert.equal(allowed, 1_000_000);
});

Deno.test("JoinLimiter sweeps a table of buckets in use again only once it has doubled", () => {
  let now = 1_000_000;
  const joins = new JoinLimiter(10, () => now);
  for (let i = 0; i < SWEEP_AT; i++) assert.equal(joins.attempt(`a${i}`), 0);
  assert.equal(joins.attempt("b0"), 0, "the first sweep finds every bucket in use");
  assert.equal(joins.size, SWEEP_AT + 1);
  now += JOIN_WINDOW_MS;
  for (let i = 1; i < SWEEP_AT; i++) assert.equal(joins.attempt(`b${i}`), 0);
  assert.equal(joins.size, 2 * SWEEP_AT, "full buckets stay until the table has doubled");
  assert.equal(joins.attempt("c"), 0);
  assert.equal(joins.size, SWEEP_AT, "then the sweep keeps only the buckets in use");
});
