import assert from "assert";
import { RoomdError } from "../../src/client/errors.ts";
import { SendQueue } from "../../src/client/send_queue.ts";
import { manualClock } from "./_manual_clock.ts";

function queue(limit = 10, replyTimeoutMs = 1000) {
  const clock = manualClock();
  return { clock, queue: new SendQueue({ limit, replyTimeoutMs, clock }) };
}

const id = (frame: { id?: number }) => frame.id;

Deno.test("SendQueue writes queued frames in order when the socket comes up, then at once", () => {
  const { queue: q } = queue();
  const written: string[] = [];
  q.add("a", "A", id);
  q.add("b", "B", id);
  q.flush((frame) => written.push(frame));
  q.add("c", "C", id);
  assert.deepEqual(written, ["A", "B", "C"]);
});

Deno.test("SendQueue rejects a send past its limit while the socket is down", async () => {
  const { queue: q } = queue(2);
  const kept = [q.add("a", "A", id), q.add("b", "B", id)];
  await assert.rejects(q.add("c", "C", id), { code: "queue_full" });
  q.flush(() => {});
  q.settle({ type: "ack", ref: "a", id: 1 });
  q.settle({ type: "ack", ref: "b", id: 2 });
  assert.deepEqual(await Promise.all(kept), [1, 2]);
});

Deno.test("SendQueue rejects a frame with timeout when no reply comes in replyTimeoutMs", async () => {
  const { queue: q, clock } = queue(10, 1000);
  const sent = q.add("a", "A", id);
  q.flush(() => {});
  clock.advance(999);
  assert.equal(q.size, 1);
  clock.advance(1);
  await assert.rejects(sent, { code: "timeout" });
  assert.equal(q.size, 0);
});

Deno.test("SendQueue stops reply deadlines while the socket is down and restarts them on resend", async () => {
  const { queue: q, clock } = queue(10, 1000);
  const sent = q.add("a", "A", id);
  q.flush(() => {});
  clock.advance(900);
  q.pause(new RoomdError("disconnected", "down"));
  clock.advance(5000);
  const written: string[] = [];
  q.flush((frame) => written.push(frame));
  assert.deepEqual(written, ["A"], "sent again after the reconnect");
  clock.advance(900);
  q.settle({ type: "ack", ref: "a", id: 7 });
  assert.equal(await sent, 7);
});

Deno.test("SendQueue sends frames in flight again before later ones, keeping their order", () => {
  const { queue: q } = queue();
  q.flush(() => {});
  q.add("a", "A", id);
  q.add("b", "B", id);
  q.pause(new RoomdError("disconnected", "down"));
  q.add("c", "C", id);
  const written: string[] = [];
  q.flush((frame) => written.push(frame));
  assert.deepEqual(written, ["A", "B", "C"]);
});

Deno.test("SendQueue rejects frames that must not be sent twice when the socket drops", async () => {
  const { queue: q } = queue();
  q.flush(() => {});
  const refresh = q.add("r", "R", id, false);
  q.pause(new RoomdError("disconnected", "down"));
  await assert.rejects(refresh, { code: "disconnected" });
});

Deno.test("SendQueue rejects with the server's error frame", async () => {
  const { queue: q } = queue();
  q.flush(() => {});
  const sent = q.add("a", "A", id);
  q.settle({
    type: "error",
    ref: "a",
    data: { code: "rate_limited", message: "slow down", retry_after_ms: 40 },
  });
  await assert.rejects(sent, (error: RoomdError) => {
    assert.equal(error.code, "rate_limited");
    assert.equal(error.retryAfterMs, 40);
    return true;
  });
});

Deno.test("SendQueue.failInFlight rejects what was written, not what waits", async () => {
  const { queue: q } = queue();
  q.flush(() => {});
  const written = q.add("a", "A", id);
  q.pause(new RoomdError("disconnected", "down"));
  const waiting = q.add("b", "B", id);
  q.flush(() => {});
  q.pause(new RoomdError("disconnected", "down"));
  const later = q.add("c", "C", id);
  q.failInFlight(new RoomdError("message_too_large", "too large"));
  assert.equal(q.size, 3, "nothing is in flight while the socket is down");
  q.flush(() => {});
  q.failInFlight(new RoomdError("message_too_large", "too large"));
  await assert.rejects(written, { code: "message_too_large" });
  await assert.rejects(waiting, { code: "message_too_large" });
  await assert.rejects(later, { code: "message_too_large" });
  assert.equal(q.size, 0);
});
