/**
 * A bounded cache of verified tokens, so a token seen again by this process (a client that
 * reconnects after a network blip or a slow-consumer cut, a handshake check followed by the real
 * upgrade, repeated API calls) skips the signature check and claim parsing. A restarted server
 * starts empty: there the synchronous HS256 check (`hs256_fast.ts`) is what helps.
 *
 * @module
 */
import type { Principal } from "./principal.ts";

/** Options of {@linkcode VerifiedTokenCache}. */
export interface TokenCacheOptions {
  /** Most tokens kept; the oldest entry leaves first (default 10,000: about 3 MB). */
  maxEntries?: number;
  /**
   * Longest time an entry is trusted, in ms (default 10 minutes), so a key set that drops a key
   * stops admitting its tokens about as soon as jose's key cache would.
   */
  maxAgeMs?: number;
  /** The clock, in ms since the epoch (tests pass a fake one). */
  now?: () => number;
}

interface Entry {
  principal: Principal;
  /** When the entry stops being trusted (ms), besides the token's own expiry. */
  staleAt: number;
}

/** What a lookup found: the principal, an expired token, or nothing. */
export type CachedToken = Principal | "expired" | null;

/**
 * Verified tokens by their exact text. Only successes are kept: a token that failed is checked
 * again in full, and its reason is the verifier's.
 *
 * @example A token is found until it expires
 * ```ts
 * import assert from "assert";
 * import { VerifiedTokenCache } from "./token_cache.ts";
 * let now = 1_000_000;
 * const cache = new VerifiedTokenCache({ now: () => now });
 * const principal = { id: "42", name: "ann", rooms: null, admin: false, expiresAt: now + 5000 };
 * cache.set("a.b.c", principal);
 * assert.ok(cache.get("a.b.c") === principal);
 * now += 5000;
 * assert.ok(cache.get("a.b.c") === "expired");
 * assert.ok(cache.get("a.b.c") === null);
 * ```
 */
export class VerifiedTokenCache {
  readonly #entries = new Map<string, Entry>();
  readonly #maxEntries: number;
  readonly #maxAgeMs: number;
  readonly #now: () => number;

  /** @param options Size, trust period and clock. */
  constructor(options: TokenCacheOptions = {}) {
    this.#maxEntries = options.maxEntries ?? 10_000;
    this.#maxAgeMs = options.maxAgeMs ?? 600_000;
    this.#now = options.now ?? Date.now;
  }

  /** Tokens kept now. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * Looks a token up.
   *
   * @param token The compact JWT, exactly as received.
   * @returns Its principal; `"expired"` when it was verified but its `exp` has passed (the
   *   entry is dropped); `null` when it must be verified in full.
   */
  get(token: string): CachedToken {
    const entry = this.#entries.get(token);
    if (entry === undefined) return null;
    const now = this.#now();
    // jose's rule: expired once the current whole second reaches `exp`.
    const expired = Math.floor(now / 1000) * 1000 >= entry.principal.expiresAt;
    if (!expired && now < entry.staleAt) return entry.principal;
    this.#entries.delete(token);
    return expired ? "expired" : null;
  }

  /**
   * Keeps a verified token, dropping the oldest entry when full.
   *
   * @param token The compact JWT.
   * @param principal What it verified to.
   */
  set(token: string, principal: Principal): void {
    if (this.#maxEntries <= 0) return;
    if (this.#entries.size >= this.#maxEntries && !this.#entries.has(token)) {
      this.#entries.delete(this.#entries.keys().next().value!);
    }
    // A fresh copy: the token may be a slice of the whole request URL, or held in a wider form
    // than its ASCII needs; the copy is a plain one-byte string of its own.
    const key: string = JSON.parse(JSON.stringify(token));
    this.#entries.set(key, { principal, staleAt: this.#now() + this.#maxAgeMs });
  }
}
