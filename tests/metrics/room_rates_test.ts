import assert from "assert";
import { RoomRates } from "../../src/metrics/room_rates.ts";

Deno.test("RoomRates drops rooms that were quiet for a whole minute", () => {
  const rates = new RoomRates(0);
  for (let i = 0; i < 1_000; i++) rates.record(`room-${i}`, 1_000);
  assert.equal(rates.size, 1_000);
  rates.record("room-0", 30_000);
  assert.equal(rates.size, 1_000);
  rates.record("busy", 61_001);
  assert.deepEqual(rates.size, 2);
  rates.record("busy", 91_001);
  assert.equal(rates.size, 1);
});

Deno.test("RoomRates.top() orders by rate, breaks ties by id and caps the list", () => {
  const rates = new RoomRates(0);
  for (const id of ["b", "a", "c"]) rates.record(id, 1_000);
  rates.record("c", 2_000);
  assert.deepEqual(rates.top(2, 59_999).map((room) => room.id), ["c", "a"]);
  assert.deepEqual(rates.top(10, 59_999).map((room) => room.id), ["c", "a", "b"]);
});

Deno.test("RoomRates.top() measures the last minute to within one 5 s slot", () => {
  const rates = new RoomRates(0);
  for (let t = 0; t < 120_000; t += 100) rates.record("lobby", t);
  const [lobby] = rates.top(1, 119_999);
  assert.equal(lobby.id, "lobby");
  assert.ok(Math.abs(lobby.messages_per_s - 10) < 0.01, `${lobby.messages_per_s}`);
});

Deno.test("RoomRates rejects a window that is not a multiple of its slot", () => {
  assert.throws(() => new RoomRates(0, { windowMs: 60_000, slotMs: 7_000 }), RangeError);
});
