import assert from "assert";
import { backoffDelay, connect } from "../../src/client/mod.ts";
import { manualClock } from "./_manual_clock.ts";

Deno.test("backoffDelay stays within [0, min(cap, base × 2^attempt)) for any random draw", () => {
  const options = { baseMs: 100, capMs: 5000 };
  for (let attempt = 0; attempt < 12; attempt++) {
    const ceiling = Math.min(5000, 100 * 2 ** attempt);
    assert.equal(backoffDelay(attempt, options, () => 0), 0);
    assert.equal(backoffDelay(attempt, options, () => 0.5), Math.floor(ceiling / 2));
    const top = backoffDelay(attempt, options, () => 0.9999999);
    assert.ok(top < ceiling && top >= ceiling - 1, `attempt ${attempt}: ${top}`);
  }
});

Deno.test("backoffDelay does not overflow for huge attempt numbers", () => {
  assert.equal(backoffDelay(10_000, { baseMs: 500, capMs: 30_000 }, () => 0.5), 15_000);
});

/** A socket that fails at once, as when nothing listens. */
class FailingSocket extends EventTarget {
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;
  readyState = 0;
  constructor() {
    super();
    queueMicrotask(() => {
      this.readyState = 3;
      this.onclose?.(new CloseEvent("close", { code: 1006 }));
    });
  }
  send(): void {}
  close(): void {}
}

Deno.test("the client waits a full-jitter delay between attempts and gives up after maxAttempts", async () => {
  const clock = manualClock();
  const draws = [0.25, 0.5, 0.75, 0.999];
  let draw = 0;
  let sockets = 0;
  const client = connect("http://127.0.0.1:1", {
    room: "lobby",
    token: "t",
    backoff: { baseMs: 100, capMs: 300 },
    maxAttempts: 4,
    random: () => draws[draw++ % draws.length],
    clock,
    webSocket: () => {
      sockets++;
      return new FailingSocket() as unknown as WebSocket;
    },
    fetch: () => Promise.reject(new TypeError("unreachable")),
  });
  const states: { state: string; delayMs?: number; reason?: { message: string } }[] = [];
  client.on("state", (s) => states.push(s));
  for (let i = 0; i < 20 && client.state !== "closed"; i++) {
    await new Promise((resolve) => setTimeout(resolve, 1));
    clock.advance(1000);
  }
  const delays = states.filter((s) => s.state === "reconnecting").map((s) => s.delayMs);
  // Ceilings 100, 200, 300 (capped), 300: each delay is the draw times its ceiling.
  assert.deepEqual(delays, [25, 100, 225, 299]);
  assert.equal(sockets, 5);
  assert.equal(states.at(-1)?.state, "closed");
  assert.match(states.at(-1)!.reason!.message, /Gave up after 4 attempts/);
});
