/**
 * The send budget: how roomd notices that a client reads too slowly (its socket's backlog,
 * `bufferedAmount`, passes `maxQueueBytes`) without reading that backlog on every send, and
 * without counting a room's broadcast once per recipient.
 *
 * Reading `bufferedAmount` is a call into the runtime; the backlog grows only by what is sent,
 * so a connection reads it only when the bytes sent since its last reading could have taken it
 * past the cap. That cuts a client off at exactly the send where reading every time would.
 *
 * - A connection keeps its **headroom** (cap − backlog at the last reading) and the bytes
 *   **sent since** that reading; its **slack** is the difference.
 * - Frames for one connection count in its own budget at once ({@linkcode SendBudget.sent}).
 * - A room's broadcasts go straight to the sockets and count once, in the room's
 *   {@linkcode BroadcastLedger} (`pending`). The ledger's `limit` is the smallest slack of the
 *   room's connections: once `pending` passes it, the room **settles** — every connection adds
 *   `pending` to its count ({@linkcode SendBudget.settle}) and reports its new slack.
 * - A settling connection reads its backlog once half of its headroom is used, so the members
 *   of a room read at about the same time and the room settles about once per half cap.
 * - A connection's own sends also add the ledger's `pending` when they check, so a member near
 *   its cap is read on time between settlements.
 *
 * A fake socket whose `bufferedAmount` is raised by hand is seen at the next reading: set it
 * before the first send.
 *
 * @module
 */

/**
 * Bytes broadcast to a room that its connections have not yet added to their budgets, and how
 * far that may go before one of them could be past its cap (see the module doc).
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { BroadcastLedger } from "./send_budget.ts";
 * const ledger = new BroadcastLedger();
 * ledger.lower(100);
 * ledger.pending += 120;
 * assert.ok(ledger.due);
 * assert.equal(ledger.takePending(), 120);
 * assert.ok(!ledger.due);
 * ```
 */
export class BroadcastLedger {
  /** Bytes broadcast to every connection since the last settlement, counted once. */
  pending = 0;
  /** The smallest slack of any connection (none yet: no limit): settle once `pending` passes it. */
  limit = Infinity;

  /** Whether the connections must settle before the next broadcast. */
  get due(): boolean {
    return this.pending > this.limit;
  }

  /**
   * Starts a settlement: hands out what is pending and forgets the old limit, which the
   * connections then lower again with their new slack.
   *
   * @returns The bytes each connection must add to its count.
   */
  takePending(): number {
    const pending = this.pending;
    this.pending = 0;
    this.limit = Infinity;
    return pending;
  }

  /**
   * Records a connection's slack.
   *
   * @param slack Bytes the connection may still receive before it must read its backlog.
   */
  lower(slack: number): void {
    if (slack < this.limit) this.limit = slack;
  }
}

/** What a {@linkcode SendBudget} reads and whom it tells. */
export interface BudgetSocket {
  /** The socket's backlog in bytes (a call into the runtime). */
  readonly bufferedAmount: number;
}

/**
 * One connection's share of the send budget (see the module doc).
 *
 * @example A connection past its cap is found at the send that takes it there
 * ```ts
 * import assert from "assert";
 * import { SendBudget } from "./send_budget.ts";
 * const socket = { bufferedAmount: 0 }; // a client that reads nothing
 * const budget = new SendBudget(socket, 100);
 * socket.bufferedAmount += 60;
 * assert.ok(budget.sent(60)); // read: 40 bytes of headroom left
 * socket.bufferedAmount += 30;
 * assert.ok(budget.sent(30)); // within the headroom: not read
 * socket.bufferedAmount += 30;
 * assert.ok(!budget.sent(30)); // read: 120 bytes, past the cap
 * ```
 */
export class SendBudget {
  readonly #socket: BudgetSocket;
  readonly #maxQueueBytes: number;
  /** Bytes sent since `bufferedAmount` was last read, besides what the ledger holds. */
  #sentSinceReading = 0;
  /** How far the backlog was below the cap at the last reading (read when attached to a room). */
  #headroom = 0;
  /** The room's broadcasts not yet counted here, once attached. */
  #ledger: BroadcastLedger | null = null;

  /**
   * @param socket The socket whose backlog is read.
   * @param maxQueueBytes Largest backlog before the client is cut off.
   */
  constructor(socket: BudgetSocket, maxQueueBytes: number) {
    this.#socket = socket;
    this.#maxQueueBytes = maxQueueBytes;
  }

  /**
   * Counts a frame sent to this connection alone.
   *
   * @param bytes Its UTF-8 size.
   * @returns `false` when the backlog is past the cap.
   */
  sent(bytes: number): boolean {
    this.#sentSinceReading += bytes;
    const pending = this.#ledger === null ? 0 : this.#ledger.pending;
    if (this.#sentSinceReading + pending > this.#headroom && !this.#read(pending)) return false;
    this.#reportSlack();
    return true;
  }

  /**
   * Counts the room's broadcasts in `ledger` from now on. Reading now reports the real slack;
   * with none, the room's limit would drop to 0 and the next broadcast would settle every
   * member (a join storm would cost O(n²) settlements). The bytes already pending were
   * broadcast before this connection joined: not counted.
   *
   * @param ledger The room's ledger.
   * @returns `false` when the backlog is past the cap.
   */
  useLedger(ledger: BroadcastLedger): boolean {
    this.#ledger = ledger;
    if (!this.#read(ledger.pending)) return false;
    this.#reportSlack();
    return true;
  }

  /**
   * Adds a settlement's bytes; reads the backlog once half of the headroom is used.
   *
   * @param pending The bytes broadcast since the last settlement.
   * @returns `false` when the backlog is past the cap.
   */
  settle(pending: number): boolean {
    this.#sentSinceReading += pending;
    if (2 * this.#sentSinceReading >= this.#headroom && !this.#read(0)) return false;
    this.#reportSlack();
    return true;
  }

  #reportSlack(): void {
    this.#ledger?.lower(this.#headroom - this.#sentSinceReading);
  }

  /**
   * Reads the backlog: `false` past the cap, else resets the budget. The backlog already holds
   * the ledger's `pending` bytes, which the next settlement adds again: they are subtracted now.
   */
  #read(pending: number): boolean {
    const backlog = this.#socket.bufferedAmount;
    if (backlog > this.#maxQueueBytes) return false;
    // Not `-pending`: for an empty ledger that is -0, which V8 stores boxed, in every budget.
    this.#sentSinceReading = 0 - pending;
    this.#headroom = this.#maxQueueBytes - backlog;
    return true;
  }
}
