/**
 * A fake `Date` for tests of time-based expiry against a real server.
 *
 * @module
 */
import FakeTimers from "@sinonjs/fake-timers";

/**
 * Fakes `Date` only: the server's timers (and `performance.now()`, which the test helpers'
 * deadlines use) stay real, so sockets and actors run as usual, while "now" moves only when the
 * test ticks the clock.
 *
 * @returns The installed clock; call `uninstall()` when done.
 */
export function fakeDate(): FakeTimers.InstalledClock {
  return FakeTimers.withGlobal(globalThis).install({ toFake: ["Date"], now: Date.now() });
}
