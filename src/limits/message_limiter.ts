/**
 * Message rate limits: a token bucket per connection and one per user across that user's
 * connections in a room, plus flood detection for clients that keep pushing past the limit.
 *
 * @module
 */
import { type Clock, monotonicClock, TokenBucket } from "./token_bucket.ts";

/** Seconds of sustained excess (at twice the limit) before a client counts as flooding. */
const FLOOD_SECONDS = 4;

/** Rate and burst of a bucket. */
export interface RateSettings {
  /** Messages per second. */
  rate: number;
  /** Messages allowed at once. */
  burst: number;
}

/** The verdict on one incoming message. */
export type LimitResult = { ok: true } | { ok: false; retryAfterMs: number; flooding: boolean };

interface SharedBucket {
  bucket: TokenBucket;
  holders: number;
}

/**
 * Buckets shared by the connections of one user in one room, dropped with the last holder.
 */
export class SharedBuckets {
  readonly #buckets = new Map<string, SharedBucket>();
  readonly #clock: Clock;

  /** @param clock Milliseconds clock. */
  constructor(clock: Clock = monotonicClock) {
    this.#clock = clock;
  }

  /**
   * Takes a hold on the bucket for `key`, creating it with `settings` on first use.
   *
   * @param key E.g. room id and user id.
   * @param settings Rate and burst.
   * @returns The shared bucket.
   */
  acquire(key: string, settings: RateSettings): TokenBucket {
    let shared = this.#buckets.get(key);
    if (!shared) {
      shared = { bucket: new TokenBucket(settings.rate, settings.burst, this.#clock), holders: 0 };
      this.#buckets.set(key, shared);
    }
    shared.holders++;
    return shared.bucket;
  }

  /**
   * Releases a hold; the bucket goes with the last one.
   *
   * @param key The key given to {@linkcode SharedBuckets.acquire}.
   */
  release(key: string): void {
    const shared = this.#buckets.get(key);
    if (shared && --shared.holders <= 0) this.#buckets.delete(key);
  }

  /** Buckets held now. */
  get size(): number {
    return this.#buckets.size;
  }
}

/**
 * The rate limits of one connection: its own bucket, its user's bucket in the room (shared with
 * the user's other connections there) and a flood detector. Made at the connection's first
 * message (see `session/inbound.ts`), so a connection that only listens costs none.
 *
 * Flooding: every refused message drains a second bucket that refills at the message rate and
 * holds {@linkcode FLOOD_SECONDS} seconds of it, so a client sending at 2× its limit never
 * empties it while one at 3× empties it in about that many seconds.
 */
export class MessageLimiter {
  readonly #own: TokenBucket;
  readonly #user: TokenBucket;
  readonly #flood: TokenBucket;
  readonly #userBuckets: SharedBuckets;
  readonly #userKey: string;

  /**
   * Takes a hold on the user's shared bucket in the room.
   *
   * @param settings The connection's rate and burst.
   * @param userBuckets The buckets shared by each user's connections in a room.
   * @param roomId The connection's room.
   * @param userId The connection's user.
   * @param clock Milliseconds clock.
   */
  constructor(
    settings: RateSettings,
    userBuckets: SharedBuckets,
    roomId: string,
    userId: string,
    clock: Clock = monotonicClock,
  ) {
    const { rate, burst } = settings;
    this.#userBuckets = userBuckets;
    this.#userKey = `${roomId}\u0000${userId}`;
    this.#own = new TokenBucket(rate, burst, clock);
    this.#user = userBuckets.acquire(this.#userKey, settings);
    this.#flood = new TokenBucket(rate, rate * FLOOD_SECONDS, clock);
  }

  /** Lets go of the user's shared bucket; call once. */
  release(): void {
    this.#userBuckets.release(this.#userKey);
  }

  /**
   * Applies new settings (a room's override) to the connection's buckets.
   *
   * @param settings Rate and burst.
   */
  configure(settings: RateSettings): void {
    this.#own.configure(settings.rate, settings.burst);
    this.#user.configure(settings.rate, settings.burst);
    this.#flood.configure(settings.rate, settings.rate * FLOOD_SECONDS);
  }

  /**
   * Counts one incoming message.
   *
   * @returns Whether it may pass; if not, when to retry and whether the client is flooding.
   */
  check(): LimitResult {
    if (this.#own.take()) {
      if (this.#user.take()) return { ok: true };
      return refuse(this.#user, this.#flood);
    }
    return refuse(this.#own, this.#flood);
  }
}

function refuse(by: TokenBucket, flood: TokenBucket): LimitResult {
  return { ok: false, retryAfterMs: by.waitMs(), flooding: !flood.take() };
}
