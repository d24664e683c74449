import assert from "assert";
import { ReplayPacer } from "../../src/room/replay_pacer.ts";

/** A socket whose backlog drains by `drainPerPoll` bytes at every poll. */
function fakeTarget(drainPerPoll: number) {
  let now = 0;
  const target = { queued: 0, closing: false, backlog: () => target.queued };
  const pacer = new ReplayPacer(target, {
    maxQueueBytes: 1000,
    sleep: (ms) => {
      now += ms;
      target.queued = Math.max(0, target.queued - drainPerPoll);
      return Promise.resolve();
    },
    now: () => now,
    stallMs: 1000,
  });
  const send = async (bytes: number) => {
    const ready = pacer.ready(bytes);
    const result = ready === true ? "ok" : await ready;
    if (result === "ok") target.queued += bytes;
    return result;
  };
  return { target, send };
}

Deno.test("ReplayPacer keeps the backlog at three quarters of the cap however much is sent", async () => {
  const { target, send } = fakeTarget(37);
  let highest = 0;
  for (let i = 0; i < 2000; i++) {
    assert.equal(await send(40), "ok");
    highest = Math.max(highest, target.queued);
  }
  assert.ok(highest <= 750, `backlog reached ${highest}`);
});

Deno.test("ReplayPacer lets a frame larger than its budget through once the backlog is empty", async () => {
  const { target, send } = fakeTarget(100);
  assert.equal(await send(900), "ok");
  assert.equal(await send(900), "ok");
  assert.equal(target.queued, 900);
});

Deno.test("ReplayPacer gives up on a client that stops reading, and stops when it closes", async () => {
  const stuck = fakeTarget(0);
  let result = "ok";
  for (let i = 0; i < 100 && result === "ok"; i++) result = await stuck.send(100);
  assert.equal(result, "stalled");
  const closing = fakeTarget(0);
  for (let i = 0; i < 7; i++) await closing.send(100);
  closing.target.closing = true;
  assert.equal(await closing.send(100), "closed");
});
