/**
 * Waiting for a condition that another task or process makes true.
 *
 * @module
 */

/**
 * Polls `condition` every 5 ms until it holds, failing after `timeoutMs`.
 *
 * @param condition Checked after each pause (and once at once).
 * @param what What is awaited, for the failure message.
 * @param timeoutMs Deadline.
 */
export async function until(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 5_000,
): Promise<void> {
  // performance.now(), not Date.now(): tests that fake Date must still time out.
  const deadline = performance.now() + timeoutMs;
  while (!(await condition())) {
    if (performance.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
