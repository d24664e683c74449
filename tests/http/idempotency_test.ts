import assert from "assert";
import {
  IDEMPOTENCY_TTL_MS,
  IdempotencyCache,
  isValidIdempotencyKey,
  type StoredResponse,
} from "../../src/http/idempotency.ts";

function counter(status = 201) {
  let runs = 0;
  return {
    get runs() {
      return runs;
    },
    execute: (): Promise<StoredResponse> => Promise.resolve({ status, body: { id: ++runs } }),
  };
}

Deno.test("IdempotencyCache.run() runs once and replays the answer to a retry", async () => {
  const cache = new IdempotencyCache();
  const work = counter();
  const first = await cache.run("lobby", "k", "fp", work.execute);
  const again = await cache.run("lobby", "k", "fp", work.execute);
  assert.deepEqual(first, { kind: "executed", response: { status: 201, body: { id: 1 } } });
  assert.deepEqual(again, { kind: "replayed", response: { status: 201, body: { id: 1 } } });
  assert.equal(work.runs, 1);
});

Deno.test("IdempotencyCache.run() makes concurrent retries wait for the one execution", async () => {
  const cache = new IdempotencyCache();
  const gate = Promise.withResolvers<StoredResponse>();
  let runs = 0;
  const execute = () => {
    runs++;
    return gate.promise;
  };
  const pending = [1, 2, 3].map(() => cache.run("lobby", "k", "fp", execute));
  gate.resolve({ status: 201, body: { id: 9 } });
  const outcomes = await Promise.all(pending);
  assert.equal(runs, 1);
  assert.deepEqual(outcomes.map((o) => o.kind), ["executed", "replayed", "replayed"]);
});

Deno.test("IdempotencyCache.run() reports a key reused for another request", async () => {
  const cache = new IdempotencyCache();
  const work = counter();
  await cache.run("lobby", "k", "fp-1", work.execute);
  assert.deepEqual(await cache.run("lobby", "k", "fp-2", work.execute), { kind: "mismatch" });
  assert.equal((await cache.run("other", "k", "fp-2", work.execute)).kind, "executed");
  assert.equal(work.runs, 2);
});

Deno.test("IdempotencyCache.run() forgets server errors and throws so a retry runs again", async () => {
  const cache = new IdempotencyCache();
  const failing = counter(500);
  assert.equal((await cache.run("r", "k", "fp", failing.execute)).kind, "executed");
  assert.equal((await cache.run("r", "k", "fp", failing.execute)).kind, "executed");
  assert.equal(failing.runs, 2);
  await assert.rejects(cache.run("r", "t", "fp", () => Promise.reject(new Error("boom"))), /boom/);
  assert.equal(cache.size, 0);
  const work = counter(404);
  await cache.run("r", "k", "fp", work.execute);
  await cache.run("r", "k", "fp", work.execute);
  assert.equal(work.runs, 1, "a client error is a final answer");
});

Deno.test("IdempotencyCache forgets an answer after its TTL", async () => {
  let now = 0;
  const cache = new IdempotencyCache({ clock: () => now });
  const work = counter();
  await cache.run("r", "k", "fp", work.execute);
  now += IDEMPOTENCY_TTL_MS - 1;
  assert.equal((await cache.run("r", "k", "fp", work.execute)).kind, "replayed");
  now += 1;
  assert.equal((await cache.run("r", "k", "fp", work.execute)).kind, "executed");
  assert.equal(work.runs, 2);
});

Deno.test("IdempotencyCache holds at most maxKeys, dropping the oldest settled answers", async () => {
  const cache = new IdempotencyCache({ maxKeys: 3 });
  const work = counter();
  for (const key of ["a", "b", "c", "d"]) await cache.run("r", key, "fp", work.execute);
  assert.equal(cache.size, 3);
  assert.equal((await cache.run("r", "d", "fp", work.execute)).kind, "replayed");
  assert.equal((await cache.run("r", "a", "fp", work.execute)).kind, "executed");
  assert.equal(cache.size, 3);
});

Deno.test("IdempotencyCache, when full, forgets a sixteenth of its oldest settled answers at once", async () => {
  const cache = new IdempotencyCache({ maxKeys: 32 });
  const work = counter();
  for (let i = 0; i < 32; i++) await cache.run("r", `k${i}`, "fp", work.execute);
  await cache.run("r", "new", "fp", work.execute);
  assert.equal(cache.size, 31, "two forgotten to make room for one");
  assert.equal((await cache.run("r", "k2", "fp", work.execute)).kind, "replayed");
  assert.equal((await cache.run("r", "new2", "fp", work.execute)).kind, "executed");
  assert.equal(cache.size, 32, "the next key fits without forgetting another");
  assert.equal((await cache.run("r", "k1", "fp", work.execute)).kind, "executed");
});

Deno.test("IdempotencyCache refuses a new key while every held key is still running", async () => {
  const cache = new IdempotencyCache({ maxKeys: 2 });
  const gate = Promise.withResolvers<StoredResponse>();
  const running = ["a", "b"].map((key) => cache.run("r", key, "fp", () => gate.promise));
  assert.deepEqual(await cache.run("r", "c", "fp", counter().execute), { kind: "full" });
  gate.resolve({ status: 201, body: {} });
  await Promise.all(running);
  assert.equal((await cache.run("r", "c", "fp", counter().execute)).kind, "executed");
});

Deno.test("isValidIdempotencyKey() accepts 1 to 255 visible ASCII characters", () => {
  assert.ok(isValidIdempotencyKey("a"));
  assert.ok(isValidIdempotencyKey("x".repeat(255)));
  for (const bad of ["", " ", "a b", "x".repeat(256), "é", "a\tb"]) {
    assert.ok(!isValidIdempotencyKey(bad), JSON.stringify(bad));
  }
});
