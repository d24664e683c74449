import assert from "assert";
import { Heartbeat, SWEEP_SLICE, type Watched } from "../../src/transport/heartbeat.ts";

type Recording = Watched & { pings: number; expired: boolean };

/** Sockets that record their pings and expiries. */
function sockets(count: number): Recording[] {
  return Array.from({ length: count }, (): Recording => ({
    silent: 0,
    pings: 0,
    expired: false,
    ping() {
      this.pings++;
    },
    expire() {
      this.expired = true;
    },
    end() {},
  }));
}

const tasks = (n: number) => new Promise((resolve) => setTimeout(resolve, n));

Deno.test("a sweep visits one slice of sockets at once and the rest in later tasks, each once", async () => {
  const heartbeat = new Heartbeat(0);
  const watched = sockets(2 * SWEEP_SLICE + 10);
  for (const socket of watched) heartbeat.add(socket);
  heartbeat.sweep();
  assert.equal(watched.filter((s) => s.silent === 1).length, SWEEP_SLICE);
  await tasks(20);
  assert.ok(watched.every((s) => s.silent === 1));
  heartbeat.sweep();
  await tasks(20);
  assert.ok(watched.every((s) => s.pings === 1), "pinged once after two sweeps");
  heartbeat.close();
});

Deno.test("a sweep that starts before the last one finished completes it first", async () => {
  const heartbeat = new Heartbeat(0);
  const watched = sockets(3 * SWEEP_SLICE);
  for (const socket of watched) heartbeat.add(socket);
  for (let i = 0; i < 4; i++) heartbeat.sweep();
  await tasks(20);
  assert.ok(watched.every((s) => s.pings === 1 && s.expired), "pinged at 2, expired at 4");
  heartbeat.close();
});

Deno.test("close() stops a sweep's remaining slices", async () => {
  const heartbeat = new Heartbeat(0);
  const watched = sockets(2 * SWEEP_SLICE);
  for (const socket of watched) heartbeat.add(socket);
  heartbeat.sweep();
  heartbeat.close();
  await tasks(20);
  assert.equal(watched.filter((s) => s.silent === 1).length, SWEEP_SLICE);
});
