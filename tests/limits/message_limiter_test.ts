import assert from "assert";
import {
  type LimitResult,
  MessageLimiter,
  SharedBuckets,
} from "../../src/limits/message_limiter.ts";

interface Run {
  accepted: number;
  refused: number;
  flooding: boolean;
  lastRefusal?: LimitResult;
}

/** Sends `perSecond` messages evenly for `seconds` (stopping at the first flood verdict). */
function drive(
  limiter: MessageLimiter,
  clock: { advance: (ms: number) => void },
  perSecond: number,
  seconds: number,
): Run {
  const run: Run = { accepted: 0, refused: 0, flooding: false };
  const step = 1000 / perSecond;
  for (let i = 0; i < perSecond * seconds; i++) {
    clock.advance(step);
    const result = limiter.check();
    if (result.ok) run.accepted++;
    else {
      run.refused++;
      run.lastRefusal = result;
      if (result.flooding) {
        run.flooding = true;
        return run;
      }
    }
  }
  return run;
}

function setup(rate: number, burst: number) {
  let now = 0;
  const clock = { now: () => now, advance: (ms: number) => now += ms };
  const buckets = new SharedBuckets(clock.now);
  const settings = { rate, burst };
  const limiterOf = (user: string) =>
    new MessageLimiter(settings, buckets, "lobby", user, clock.now);
  return { clock, limiterOf };
}

Deno.test("MessageLimiter passes the burst, then refuses with the wait until the next token", () => {
  const { limiterOf } = setup(5, 5);
  const limiter = limiterOf("ana");
  for (let i = 0; i < 5; i++) assert.deepEqual(limiter.check(), { ok: true });
  assert.deepEqual(limiter.check(), { ok: false, retryAfterMs: 200, flooding: false });
});

Deno.test("MessageLimiter lets a client at its rate through for good", () => {
  const { clock, limiterOf } = setup(5, 5);
  const run = drive(limiterOf("ana"), clock, 5, 30);
  assert.deepEqual(run, { accepted: 150, refused: 0, flooding: false });
});

Deno.test("MessageLimiter never calls a client at twice its rate flooding", () => {
  const { clock, limiterOf } = setup(5, 5);
  const run = drive(limiterOf("ana"), clock, 10, 60);
  assert.equal(run.flooding, false);
  assert.ok(run.refused > 250, `refused ${run.refused}`);
});

Deno.test("MessageLimiter calls a client at three times its rate flooding within about 5 s", () => {
  const { clock, limiterOf } = setup(5, 5);
  const run = drive(limiterOf("ana"), clock, 15, 10);
  assert.equal(run.flooding, true);
  const seconds = (run.accepted + run.refused) / 15;
  assert.ok(seconds > 3 && seconds < 6, `flooding after ${seconds} s`);
});

Deno.test("MessageLimiter shares one bucket between the connections of a user", () => {
  const { limiterOf } = setup(5, 5);
  const first = limiterOf("ana");
  const second = limiterOf("ana");
  const other = limiterOf("bo");
  for (let i = 0; i < 3; i++) assert.ok(first.check().ok);
  for (let i = 0; i < 2; i++) assert.ok(second.check().ok);
  const refused = second.check();
  assert.equal(refused.ok, false);
  assert.ok(!refused.ok && refused.retryAfterMs === 200);
  assert.ok(other.check().ok, "another user is not limited by ana's messages");
});

Deno.test("MessageLimiter.configure() applies a room's new rate and burst", () => {
  const { clock, limiterOf } = setup(5, 5);
  const limiter = limiterOf("ana");
  limiter.configure({ rate: 1, burst: 1 });
  assert.ok(limiter.check().ok);
  const refused = limiter.check();
  assert.ok(!refused.ok && refused.retryAfterMs === 1000);
  clock.advance(1000);
  assert.ok(limiter.check().ok);
});

Deno.test("SharedBuckets drops a bucket with its last holder", () => {
  const buckets = new SharedBuckets(() => 0);
  const settings = { rate: 1, burst: 1 };
  const a = buckets.acquire("k", settings);
  assert.equal(buckets.acquire("k", settings), a);
  buckets.release("k");
  assert.equal(buckets.size, 1);
  buckets.release("k");
  assert.equal(buckets.size, 0);
  assert.notEqual(buckets.acquire("k", settings), a);
});

Deno.test("MessageLimiter holds its user's shared bucket from the start until released", () => {
  const buckets = new SharedBuckets();
  const settings = { rate: 5, burst: 5 };
  const first = new MessageLimiter(settings, buckets, "lobby", "ana");
  const second = new MessageLimiter(settings, buckets, "lobby", "ana");
  assert.equal(buckets.size, 1, "one bucket for the user in the room");
  first.release();
  assert.equal(buckets.size, 1, "still held by the other connection");
  second.release();
  assert.equal(buckets.size, 0);
});
