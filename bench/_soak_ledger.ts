/**
 * Delivery accounting of the soak: each published message expects the members that were in its
 * room when it was sent; a member counts as missing the message only if it was still connected
 * when the message was checked (a member churned away in between is not expected any more).
 *
 * @module
 */

/** One soak client as the ledger sees it. */
export interface SoakMember {
  /** Still connected (not closed by churn or by the server). */
  open: boolean;
}

interface Pending<M extends SoakMember> {
  expected: Set<M>;
  checkAt: number;
}

/** Totals so far. */
export interface LedgerTotals {
  /** Messages published and checked. */
  messages: number;
  /** Deliveries owed to members connected from send to check. */
  expected: number;
  /** Of those, delivered. */
  delivered: number;
}

/**
 * Published messages awaiting their deliveries.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { DeliveryLedger } from "./_soak_ledger.ts";
 * const ledger = new DeliveryLedger<{ open: boolean }>();
 * const [a, b, gone] = [{ open: true }, { open: true }, { open: true }];
 * ledger.sent("m1", [a, b, gone], 0);
 * ledger.received("m1", a);
 * gone.open = false;
 * ledger.check(1);
 * assert.deepEqual(ledger.totals, { messages: 1, expected: 2, delivered: 1 });
 * ```
 */
export class DeliveryLedger<M extends SoakMember> {
  readonly #pending = new Map<string, Pending<M>>();
  /** Totals of checked messages. */
  readonly totals: LedgerTotals = { messages: 0, expected: 0, delivered: 0 };

  /**
   * Records a message sent to members.
   *
   * @param id The message's unique text.
   * @param members The room's other connected members at send time.
   * @param checkAt When to check it (any clock, the one passed to `check`).
   */
  sent(id: string, members: Iterable<M>, checkAt: number): void {
    this.#pending.set(id, { expected: new Set(members), checkAt });
  }

  /**
   * Records a delivery.
   *
   * @param id The message's text.
   * @param member Who received it.
   */
  received(id: string, member: M): void {
    const pending = this.#pending.get(id);
    if (pending?.expected.delete(member)) {
      this.totals.expected++;
      this.totals.delivered++;
    }
  }

  /**
   * Closes the books on messages due: members still connected and still waiting missed them.
   *
   * @param now The current time on the clock of `sent`.
   */
  check(now: number): void {
    for (const [id, pending] of this.#pending) {
      if (pending.checkAt > now) continue;
      this.#pending.delete(id);
      this.totals.messages++;
      for (const member of pending.expected) if (member.open) this.totals.expected++;
    }
  }

  /** Messages not yet checked. */
  get pending(): number {
    return this.#pending.size;
  }
}
