/**
 * The page-size check shared by the store engines. Private to the `store/` engines.
 *
 * @module
 */

/**
 * Rejects a page size that is not a positive integer.
 *
 * @param action What was being done, e.g. `Cannot list rooms`.
 * @param limit The requested page size.
 * @throws {RangeError} When `limit` is not a positive integer.
 */
export function checkLimit(action: string, limit: number): void {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new RangeError(`${action}: limit must be a positive integer (got ${limit})`);
  }
}
