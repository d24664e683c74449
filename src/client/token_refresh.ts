/**
 * Refreshing the token before it expires: a fresh one from `getToken`, handed to the open
 * connection (the `refresh` message) so that the server moves the connection's expiry.
 *
 * @module
 */
import type { Clock, TimerId } from "./clock.ts";
import type { TokenSource } from "./token.ts";

/**
 * One timer, armed for `refreshBeforeMs` before the current token's `exp` (or halfway through
 * its remaining life, when that is later) while the client is connected. When it fires it fetches a token and hands it to `deliver`; when that succeeds it
 * arms again for the new token. Without `getToken`, or for a token without a readable `exp`,
 * it does nothing.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { TokenRefresher } from "./token_refresh.ts";
 * import { TokenSource } from "./token.ts";
 * import { systemClock } from "./clock.ts";
 * const payload = btoa(JSON.stringify({ exp: Date.now() / 1000 + 0.05 })).replace(/=+$/, "");
 * const tokens = new TokenSource(undefined, () => `e30.${payload}.s`);
 * await tokens.current();
 * const delivered = Promise.withResolvers<string>();
 * const refresher = new TokenRefresher(tokens, systemClock, 1000, async (t) => delivered.resolve(t), () => {});
 * refresher.arm();
 * assert.ok((await delivered.promise).startsWith("e30."));
 * refresher.disarm();
 * ```
 */
export class TokenRefresher {
  readonly #tokens: TokenSource;
  readonly #clock: Clock;
  readonly #beforeMs: number;
  readonly #deliver: (token: string) => Promise<void>;
  readonly #onError: (error: unknown) => void;
  #timer: TimerId | undefined;
  #generation = 0;

  /**
   * @param tokens The token source.
   * @param clock Timers.
   * @param beforeMs How long before `exp` to refresh.
   * @param deliver Sends the token to the server; rejects when it was not accepted.
   * @param onError Told when no token could be fetched or delivered.
   */
  constructor(
    tokens: TokenSource,
    clock: Clock,
    beforeMs: number,
    deliver: (token: string) => Promise<void>,
    onError: (error: unknown) => void,
  ) {
    this.#tokens = tokens;
    this.#clock = clock;
    this.#beforeMs = beforeMs;
    this.#deliver = deliver;
    this.#onError = onError;
  }

  /** Arms the timer for the current token (the connection is open). */
  arm(): void {
    this.disarm();
    const expiresAt = this.#tokens.expiresAt;
    if (!this.#tokens.renewable || expiresAt === undefined) return;
    // An expired token is left to the server's 4401, whose renewal is guarded against loops.
    const remaining = expiresAt - this.#clock.now();
    if (remaining <= 0) return;
    // Half the remaining life at most, so that tokens shorter-lived than `beforeMs` are not
    // refreshed over and over.
    const delay = remaining - Math.min(this.#beforeMs, remaining / 2);
    const generation = this.#generation;
    this.#timer = this.#clock.setTimeout(() => this.#fire(generation), delay);
  }

  /** Stops the timer (the connection closed); a refresh under way is forgotten. */
  disarm(): void {
    this.#generation++;
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  async #fire(generation: number): Promise<void> {
    try {
      const token = await this.#tokens.fresh();
      if (generation !== this.#generation) return;
      await this.#deliver(token);
      if (generation === this.#generation) this.arm();
    } catch (error) {
      if (generation === this.#generation) this.#onError(error);
    }
  }
}
