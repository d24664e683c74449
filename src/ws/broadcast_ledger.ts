/**
 * The slow-consumer accounting a room's connections share, so that a broadcast adds its size
 * once for the whole room instead of once per recipient.
 *
 * @module
 */

/**
 * Bytes broadcast to a room that its connections have not yet added to their own counts, and
 * how far that may go before one of them could be past its cap. The room settles (every
 * connection takes `pending` into its count, reading its socket's backlog when needed) once
 * `pending` passes `limit`; a connection lowers `limit` to its own slack whenever it changes.
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
