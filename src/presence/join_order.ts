/**
 * A room's members in the order they joined, paged by an opaque cursor that stays valid while
 * others join and leave.
 *
 * @module
 */

/** One page of a {@linkcode JoinOrder}. */
export interface JoinPage<T> {
  /** The entries, oldest join first. */
  items: T[];
  /** Where the next page starts; `null` when this page reached the end. */
  cursor: string | null;
}

/**
 * Entries in join order. Each entry gets a join number that only grows, and a cursor names
 * the join number of the last entry of a page, so paging lists every entry present from the
 * first page to the last exactly once, whatever joins or leaves in between; entries added
 * meanwhile come at the end. A cursor carries a tag of this instance: one from another room
 * or an earlier life of the room's actor is refused rather than misread.
 *
 * Removal leaves a hole that later compaction closes, so adding, removing and locating a
 * cursor cost O(log n) at most, and a page costs about its length.
 *
 * @example Paging while someone leaves
 * ```ts
 * import assert from "assert";
 * import { JoinOrder } from "./join_order.ts";
 * const order = new JoinOrder<string>();
 * const a = order.add("a");
 * order.add("b");
 * order.add("c");
 * const first = order.page(undefined, 2);
 * assert.deepEqual(first?.items, ["a", "b"]);
 * order.remove(a);
 * order.add("d");
 * assert.deepEqual(order.page(first!.cursor!, 2)?.items, ["c", "d"]);
 * assert.ok(order.page("elsewhere.1", 2) === null);
 * ```
 */
export class JoinOrder<T extends string | object> {
  readonly #tag = crypto.randomUUID().slice(0, 8);
  /** Join numbers, ascending; a removed entry keeps its number until compaction. */
  #numbers: number[] = [];
  #items: (T | undefined)[] = [];
  #holes = 0;
  #next = 1;

  /** Entries present. */
  get size(): number {
    return this.#items.length - this.#holes;
  }

  /**
   * Appends an entry.
   *
   * @param item The entry.
   * @returns Its join number, for {@linkcode JoinOrder.remove}.
   */
  add(item: T): number {
    const number = this.#next++;
    this.#numbers.push(number);
    this.#items.push(item);
    return number;
  }

  /**
   * Removes the entry with a join number.
   *
   * @param number What {@linkcode JoinOrder.add} returned.
   */
  remove(number: number): void {
    const at = this.#firstAfter(number - 1);
    if (at >= this.#numbers.length || this.#numbers[at] !== number) return;
    if (this.#items[at] === undefined) return;
    this.#items[at] = undefined;
    this.#holes++;
    if (this.#holes > 32 && this.#holes * 2 > this.#items.length) this.#compact();
  }

  /**
   * A page of entries after a cursor.
   *
   * @param cursor From a previous page; `undefined` starts at the oldest entry.
   * @param limit Most entries (0 gives an empty page with a cursor at the start).
   * @returns The page, or `null` when the cursor is not one of this instance's.
   */
  page(cursor: string | undefined, limit: number): JoinPage<T> | null {
    const after = cursor === undefined ? 0 : this.#decode(cursor);
    if (after === null) return null;
    const items: T[] = [];
    let last = after;
    let at = this.#firstAfter(after);
    for (; at < this.#items.length && items.length < limit; at++) {
      const item = this.#items[at];
      if (item === undefined) continue;
      items.push(item);
      last = this.#numbers[at];
    }
    while (at < this.#items.length && this.#items[at] === undefined) at++;
    return { items, cursor: at < this.#items.length ? `${this.#tag}.${last.toString(36)}` : null };
  }

  #decode(cursor: string): number | null {
    const dot = cursor.indexOf(".");
    if (dot < 0 || cursor.slice(0, dot) !== this.#tag) return null;
    const digits = cursor.slice(dot + 1);
    if (!/^[0-9a-z]{1,11}$/.test(digits)) return null;
    const number = parseInt(digits, 36);
    return number < this.#next ? number : null;
  }

  /** Index of the first join number greater than `number`. */
  #firstAfter(number: number): number {
    const numbers = this.#numbers;
    let lo = 0;
    let hi = numbers.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (numbers[mid] <= number) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  #compact(): void {
    const numbers: number[] = [];
    const items: T[] = [];
    for (let i = 0; i < this.#items.length; i++) {
      const item = this.#items[i];
      if (item === undefined) continue;
      numbers.push(this.#numbers[i]);
      items.push(item);
    }
    this.#numbers = numbers;
    this.#items = items;
    this.#holes = 0;
  }
}
