import assert from "assert";
import { isoTimestamp } from "../../src/room/iso_timestamp.ts";

Deno.test("isoTimestamp() gives the same text as Date.toISOString(), across seconds and eras", () => {
  const times = [
    0,
    1,
    999,
    1000,
    -1,
    -999,
    -1000,
    -1001,
    Date.UTC(2024, 1, 29, 23, 59, 59, 999),
    Date.UTC(2024, 2, 1, 0, 0, 0, 7),
    Date.UTC(2024, 2, 1, 0, 0, 0, 70),
    253402300799999,
    253402300800000,
    -62198755200001,
  ];
  for (let ms = Date.UTC(2030, 0, 1) - 2500; ms < Date.UTC(2030, 0, 1) + 2500; ms += 7) {
    times.push(ms);
  }
  for (const ms of times) assert.equal(isoTimestamp(ms), new Date(ms).toISOString(), String(ms));
});

Deno.test("isoTimestamp() returns the same text when asked twice for one millisecond", () => {
  const ms = Date.UTC(2024, 4, 1, 12, 0, 0, 5);
  assert.equal(isoTimestamp(ms), "2024-05-01T12:00:00.005Z");
  assert.equal(isoTimestamp(ms), "2024-05-01T12:00:00.005Z");
  assert.equal(isoTimestamp(ms + 1), "2024-05-01T12:00:00.006Z");
});
