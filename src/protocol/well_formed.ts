/**
 * Whether parsed JSON is well-formed Unicode: JSON can carry a lone surrogate (`"\ud800"`) as
 * an escape, which no UTF-8 encoder can represent and which other clients may choke on.
 *
 * @module
 */

/**
 * Whether `text`, and every string and key of `value` (its parse), are well-formed UTF-16.
 * The walk over `value` runs only when `text` holds a `\u` escape, the only way to smuggle a
 * lone surrogate into a well-formed JSON text, so most messages cost one scan of their text.
 *
 * @param text The JSON text.
 * @param value What `JSON.parse(text)` returned.
 * @returns `false` when a lone surrogate is found.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { isWellFormedJson } from "./well_formed.ts";
 * const ok = '{"text":"\\ud83d\\ude00"}';
 * const bad = '{"text":"\\ud800"}';
 * assert.equal(isWellFormedJson(ok, JSON.parse(ok)), true);
 * assert.equal(isWellFormedJson(bad, JSON.parse(bad)), false);
 * ```
 */
export function isWellFormedJson(text: string, value: unknown): boolean {
  if (!text.isWellFormed()) return false;
  return !text.includes("\\u") || isWellFormedValue(value);
}

/** Walks `value` with an explicit stack: a parsed frame may nest deeper than the call stack. */
function isWellFormedValue(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item === "string") {
      if (!item.isWellFormed()) return false;
    } else if (Array.isArray(item)) {
      for (const element of item) stack.push(element);
    } else if (typeof item === "object" && item !== null) {
      for (const [key, element] of Object.entries(item)) {
        if (!key.isWellFormed()) return false;
        stack.push(element);
      }
    }
  }
  return true;
}
