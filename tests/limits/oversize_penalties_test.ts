import assert from "assert";
import {
  OversizePenalties,
  PENALTY_CAP_MS,
  PENALTY_DECAY_MS,
  SWEEP_AT,
} from "../../src/limits/oversize_penalties.ts";

Deno.test("OversizePenalties doubles the wait with each strike up to the cap", () => {
  let now = 0;
  const penalties = new OversizePenalties(() => now);
  const waits: number[] = [];
  for (let i = 0; i < 12; i++) {
    penalties.strike("user:1");
    waits.push(penalties.waitSeconds("user:1"));
    now += 1;
  }
  assert.deepEqual(waits.slice(0, 5), [1, 2, 4, 8, 16]);
  assert.equal(waits.at(-1), PENALTY_CAP_MS / 1000);
  assert.equal(penalties.waitSeconds("user:2"), 0);
});

Deno.test("OversizePenalties forgets one strike per decay period of good behaviour", () => {
  let now = 0;
  const penalties = new OversizePenalties(() => now);
  for (let i = 0; i < 4; i++) penalties.strike("ip:a");
  now += 2 * PENALTY_DECAY_MS;
  assert.equal(penalties.waitSeconds("ip:a"), 0);
  penalties.strike("ip:a");
  assert.equal(penalties.waitSeconds("ip:a"), 4);
});

Deno.test("OversizePenalties sweeps a table of remembered keys again only once it has doubled", () => {
  let now = 0;
  const penalties = new OversizePenalties(() => now);
  for (let i = 0; i < SWEEP_AT; i++) penalties.strike(`a${i}`);
  penalties.strike("b0");
  assert.equal(penalties.size, SWEEP_AT + 1, "the first sweep finds every key remembered");
  now += PENALTY_DECAY_MS;
  for (let i = 1; i < SWEEP_AT; i++) penalties.strike(`b${i}`);
  assert.equal(penalties.size, 2 * SWEEP_AT, "forgotten keys stay until the table has doubled");
  assert.equal(penalties.waitSeconds("a0"), 0, "and count for nothing meanwhile");
  penalties.strike("c");
  assert.equal(penalties.size, SWEEP_AT, "then the sweep keeps only the keys remembered");
  assert.equal(penalties.waitSeconds("b1"), 1);
});
