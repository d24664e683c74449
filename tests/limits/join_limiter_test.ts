import assert from "assert";
import { JOIN_WINDOW_MS, JoinLimiter } from "../../src/limits/join_limiter.ts";
import { until } from "../_helpers/until.ts";

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

Deno.test("JoinLimiter drops full buckets, keeping those still in use, without an attempt", async () => {
  let now = 1_000_000;
  const joins = new JoinLimiter(10, () => now, 5);
  try {
    for (let i = 0; i < 1000; i++) assert.equal(joins.attempt(`once${i}`), 0);
    for (let i = 0; i < 10; i++) assert.equal(joins.attempt("busy"), 0);
    assert.equal(joins.size, 1001);
    now += JOIN_WINDOW_MS / 10;
    await until(() => joins.size === 1, "the buckets that refilled are dropped");
    assert.equal(joins.attempt("busy"), 0, "one token came back to the bucket in use");
    assert.ok(joins.attempt("busy") > 0, "and only one: the bucket was kept");
    now += JOIN_WINDOW_MS;
    await until(() => joins.size === 0, "then it goes too");
    assert.equal(joins.attempt("busy"), 0);
  } finally {
    joins.close();
  }
});

Deno.test("JoinLimiter drops nothing while closed, and sweeps again after the next attempt", async () => {
  let now = 1_000_000;
  const joins = new JoinLimiter(10, () => now, 5);
  try {
    assert.equal(joins.attempt("a"), 0);
    joins.close();
    now += JOIN_WINDOW_MS;
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(joins.size, 1, "no sweep ran while closed");
    assert.equal(joins.attempt("b"), 0);
    await until(() => joins.size === 1, "a's full bucket is dropped, b's kept");
  } finally {
    joins.close();
  }
});
