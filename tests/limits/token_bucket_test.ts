import assert from "assert";
import { TokenBucket } from "../../src/limits/token_bucket.ts";

/** A clock the test moves by hand. */
function fakeClock(): { now: () => number; advance: (ms: number) => void } {
  let now = 1_000;
  return { now: () => now, advance: (ms) => now += ms };
}

Deno.test("TokenBucket starts full and refuses once the burst is spent", () => {
  const clock = fakeClock();
  const bucket = new TokenBucket(5, 3, clock.now);
  assert.deepEqual([bucket.take(), bucket.take(), bucket.take(), bucket.take()], [
    true,
    true,
    true,
    false,
  ]);
});

Deno.test("TokenBucket refills at its rate and never holds more than its burst", () => {
  const clock = fakeClock();
  const bucket = new TokenBucket(5, 3, clock.now);
  for (let i = 0; i < 3; i++) bucket.take();
  clock.advance(199);
  assert.equal(bucket.take(), false);
  clock.advance(1);
  assert.equal(bucket.take(), true);
  clock.advance(60_000);
  let taken = 0;
  while (bucket.take()) taken++;
  assert.equal(taken, 3);
});

Deno.test("TokenBucket.waitMs() tells how long until the next token", () => {
  const clock = fakeClock();
  const bucket = new TokenBucket(4, 1, clock.now);
  assert.equal(bucket.waitMs(), 0);
  bucket.take();
  assert.equal(bucket.waitMs(), 250);
  clock.advance(100);
  assert.equal(bucket.waitMs(), 150);
  clock.advance(150);
  assert.equal(bucket.waitMs(), 0);
});

Deno.test("TokenBucket.configure() keeps the tokens held, capped at the new burst", () => {
  const clock = fakeClock();
  const bucket = new TokenBucket(1, 10, clock.now);
  for (let i = 0; i < 4; i++) bucket.take();
  bucket.configure(1, 2);
  assert.equal(bucket.take(), true);
  assert.equal(bucket.take(), true);
  assert.equal(bucket.take(), false);
  bucket.configure(10, 2);
  clock.advance(100);
  assert.equal(bucket.take(), true);
});
