import assert from "assert";
import { TokenRefresher } from "../../src/client/token_refresh.ts";
import { TokenSource } from "../../src/client/token.ts";
import { manualClock } from "./_manual_clock.ts";

const jwt = (expS: number) => `e30.${btoa(JSON.stringify({ exp: expS })).replace(/=+$/, "")}.s`;

Deno.test("TokenRefresher refreshes refreshBeforeMs before exp, then again for the new token", async () => {
  const clock = manualClock(0);
  let issued = 0;
  const tokens = new TokenSource(jwt(100), () => jwt(100 * ++issued + 100));
  const delivered: string[] = [];
  const refresher = new TokenRefresher(tokens, clock, 30_000, (token) => {
    delivered.push(token);
    return Promise.resolve();
  }, () => {});
  refresher.arm();
  assert.deepEqual(clock.delays, [70_000]);
  clock.advance(70_000);
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.equal(delivered.length, 1);
  assert.deepEqual(clock.delays, [70_000, 200_000 - 70_000 - 30_000]);
  refresher.disarm();
});

Deno.test("TokenRefresher refreshes a token living shorter than refreshBeforeMs halfway, not in a loop", () => {
  const clock = manualClock(0);
  const tokens = new TokenSource(jwt(20), () => jwt(40));
  const refresher = new TokenRefresher(tokens, clock, 30_000, () => Promise.resolve(), () => {});
  refresher.arm();
  assert.deepEqual(clock.delays, [10_000]);
  refresher.disarm();
});

Deno.test("TokenRefresher leaves an expired token to the server's 4401", () => {
  const clock = manualClock(50_000);
  const tokens = new TokenSource(jwt(20), () => jwt(40));
  const refresher = new TokenRefresher(tokens, clock, 30_000, () => Promise.resolve(), () => {});
  refresher.arm();
  assert.deepEqual(clock.delays, []);
});

Deno.test("TokenRefresher does nothing without getToken", () => {
  const clock = manualClock(0);
  const refresher = new TokenRefresher(
    new TokenSource(jwt(100), undefined),
    clock,
    30_000,
    () => Promise.resolve(),
    () => {},
  );
  refresher.arm();
  assert.deepEqual(clock.delays, []);
});
