import assert from "assert";
import { closeVerdict } from "../../src/client/close_verdict.ts";

Deno.test("closeVerdict follows README's close-code table", () => {
  const action = (code: number, welcomed = true) => closeVerdict(code, "", welcomed, 5000).action;
  assert.equal(action(1000), "stop");
  assert.equal(action(1008), "stop");
  assert.equal(action(4403), "stop");
  assert.equal(action(4401), "renew");
  for (const code of [1001, 1006, 1009, 1011, 4408, 4429]) assert.equal(action(code), "retry");
});

Deno.test("closeVerdict backs off at least floodBackoffMs after 4429, and not after 4408", () => {
  assert.equal(closeVerdict(4429, "flooding", true, 7000).minDelayMs, 7000);
  assert.equal(closeVerdict(4408, "slow consumer", true, 7000).minDelayMs, 0);
});

Deno.test("closeVerdict asks why when a connection closed before its welcome", () => {
  assert.equal(closeVerdict(1006, "", false, 5000).action, "check");
  assert.equal(closeVerdict(4403, "admission expired", false, 5000).action, "stop");
});

Deno.test("closeVerdict rejects the sends in flight after 1009 instead of sending them again", () => {
  const verdict = closeVerdict(1009, "message too large", true, 5000);
  assert.equal(verdict.failInFlight?.code, "message_too_large");
  assert.equal(verdict.reason.closeCode, 1009);
  assert.match(verdict.reason.message, /message too large/);
});
