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
 * The limiter of one connection.
 *
 * Flooding: every refused message drains a second bucket that refills at the message rate and
 * holds {@linkcode FLOOD_SECONDS} seconds of it, so a client sending at 2× its limit never
 * empties it while one at 3× empties it in about that many seconds.
 */
export class MessageLimiter {
  #settings: RateSettings;
  readonly #userBuckets: SharedBuckets;
  readonly #roomId: string;
  readonly #userId: string;
  readonly #clock: Clock;
  #buckets: { own: TokenBucket; user: TokenBucket; flood: TokenBucket } | null = null;

  /**
   * The buckets are made on the first message, so a connection that only listens costs none.
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
    this.#settings = settings;
    this.#userBuckets = userBuckets;
    this.#roomId = roomId;
    this.#userId = userId;
    this.#clock = clock;
  }

  /** Lets go of the user's shared bucket, if this limiter took a hold on it; call once. */
  release(): void {
    if (this.#buckets !== null) this.#userBuckets.release(this.#userKey());
  }

  /**
   * Applies new settings (a room's override) to the connection's buckets.
   *
   * @param settings Rate and burst.
   */
  configure(settings: RateSettings): void {
    this.#settings = settings;
    if (!this.#buckets) return;
    this.#buckets.own.configure(settings.rate, settings.burst);
    this.#buckets.user.configure(settings.rate, settings.burst);
    this.#buckets.flood.configure(settings.rate, settings.rate * FLOOD_SECONDS);
  }

  /**
   * Counts one incoming message.
   *
   * @returns Whether it may pass; if not, when to retry and whether the client is flooding.
   */
  check(): LimitResult {
    const buckets = this.#buckets ??= this.#create();
    if (buckets.own.take()) {
      if (buckets.user.take()) return { ok: true };
      return refuse(buckets.user, buckets.flood);
    }
    return refuse(buckets.own, buckets.flood);
  }

  #create(): { own: TokenBucket; user: TokenBucket; flood: TokenBucket } {
    const { rate, burst } = this.#settings;
    return {
      own: new TokenBucket(rate, burst, this.#clock),
      user: this.#userBuckets.acquire(this.#userKey(), this.#settings),
      flood: new TokenBucket(rate, rate * FLOOD_SECONDS, this.#clock),
    };
  }

  /** Made when needed rather than kept: an idle connection should hold little. */
  #userKey(): string {
    return `${this.#roomId}\u0000${this.#userId}`;
  }
}

function refuse(by: TokenBucket, flood: TokenBucket): LimitResult {
  return { ok: false, retryAfterMs: by.waitMs(), flooding: !flood.take() };
}
