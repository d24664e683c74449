/**
 * `Idempotency-Key` support: a bounded in-memory table of request outcomes, so that a client
 * retrying a request with the same key gets the first answer again and causes no second effect,
 * and a retry that arrives while the first request runs waits for its answer. The keys of
 * persisted publishes are also stored with their message, in its transaction (see
 * `message_routes.ts`), so that a retry after a restart is answered from the store.
 *
 * @module
 */

/** An answer worth replaying: an HTTP status and its JSON body. */
export interface StoredResponse {
  /** HTTP status. */
  status: number;
  /** JSON body. */
  body: unknown;
  /** Extra response headers. */
  headers?: Record<string, string>;
}

/** What {@linkcode IdempotencyCache.run} did. */
export type IdempotencyOutcome =
  | { kind: "executed"; response: StoredResponse }
  | { kind: "replayed"; response: StoredResponse }
  | { kind: "mismatch" }
  | { kind: "full" };

/** Options of {@linkcode IdempotencyCache}. */
export interface IdempotencyOptions {
  /** How long a settled answer is kept, in milliseconds (default 24 h). */
  ttlMs?: number;
  /** Most keys kept at once (default 10,000). */
  maxKeys?: number;
  /** Milliseconds clock (default `Date.now`). */
  clock?: () => number;
}

/** Default lifetime of a settled answer: 24 hours. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** Default number of keys kept. */
export const IDEMPOTENCY_MAX_KEYS = 10_000;

/** Longest accepted key, in characters. */
const MAX_KEY_LENGTH = 255;
const KEY_PATTERN = /^[\x21-\x7e]+$/;

interface Entry {
  fingerprint: string;
  response: Promise<StoredResponse>;
  /** When the answer may be forgotten; `Infinity` while pending. */
  expiresAt: number;
}

/**
 * Checks the value of an `Idempotency-Key` header: 1–255 visible ASCII characters.
 *
 * @param key The header value.
 * @returns Whether it is usable.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { isValidIdempotencyKey } from "./idempotency.ts";
 * assert.ok(isValidIdempotencyKey("9b2c-41f0"));
 * assert.ok(!isValidIdempotencyKey("has space"));
 * ```
 */
export function isValidIdempotencyKey(key: string): boolean {
  return key.length <= MAX_KEY_LENGTH && KEY_PATTERN.test(key);
}

/**
 * Remembers the answer to each (scope, key): the first request runs, later ones with the same
 * key get its answer (waiting for it while it runs), and a request reusing a key for a
 * different payload is told so. Answers with status 500 or above, and executions that throw,
 * are not kept, so a retry runs again. At most `maxKeys` keys are kept: when full, the oldest
 * settled answers are forgotten first, a sixteenth of the table at once; if every key is still
 * running, new keys are refused.
 *
 * @example A retry gets the first answer
 * ```ts
 * import assert from "assert";
 * import { IdempotencyCache } from "./idempotency.ts";
 * const cache = new IdempotencyCache();
 * let runs = 0;
 * const publish = () => Promise.resolve({ status: 201, body: { id: ++runs } });
 * const first = await cache.run("lobby", "k1", "same body", publish);
 * const again = await cache.run("lobby", "k1", "same body", publish);
 * assert.ok(first.kind === "executed" && again.kind === "replayed" && runs === 1);
 * ```
 */
export class IdempotencyCache {
  readonly #entries = new Map<string, Entry>();
  readonly #ttlMs: number;
  readonly #maxKeys: number;
  readonly #clock: () => number;

  /** @param options Lifetime, capacity and clock. */
  constructor(options: IdempotencyOptions = {}) {
    this.#ttlMs = options.ttlMs ?? IDEMPOTENCY_TTL_MS;
    this.#maxKeys = options.maxKeys ?? IDEMPOTENCY_MAX_KEYS;
    this.#clock = options.clock ?? Date.now;
  }

  /** Keys held now (running or settled). */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * Runs `execute` once per (scope, key) and fingerprint.
   *
   * @param scope What the key belongs to (e.g. the room id).
   * @param key The client's `Idempotency-Key`.
   * @param fingerprint A digest of the request; a different one with the same key is a mismatch.
   * @param execute Does the work and returns the answer.
   * @returns `executed` with the new answer, `replayed` with the remembered one, `mismatch`
   * when the key was used for another request, or `full` when no key can be added now.
   */
  async run(
    scope: string,
    key: string,
    fingerprint: string,
    execute: () => Promise<StoredResponse>,
  ): Promise<IdempotencyOutcome> {
    const id = `${scope}\u0000${key}`;
    const found = this.#entries.get(id);
    if (found && found.expiresAt <= this.#clock()) this.#entries.delete(id);
    else if (found) {
      if (found.fingerprint !== fingerprint) return { kind: "mismatch" };
      return { kind: "replayed", response: await found.response };
    }
    if (!this.#makeRoom()) return { kind: "full" };
    const entry: Entry = { fingerprint, response: execute(), expiresAt: Infinity };
    this.#entries.set(id, entry);
    try {
      const response = await entry.response;
      if (response.status >= 500) this.#forget(id, entry);
      else entry.expiresAt = this.#clock() + this.#ttlMs;
      return { kind: "executed", response };
    } catch (error) {
      this.#forget(id, entry);
      throw error;
    }
  }

  #forget(id: string, entry: Entry): void {
    if (this.#entries.get(id) === entry) this.#entries.delete(id);
  }

  /**
   * Drops expired answers, then the oldest settled ones until a sixteenth of the table is free,
   * so that a full table is walked once per that many new keys, not for each of them.
   */
  #makeRoom(): boolean {
    if (this.#entries.size < this.#maxKeys) return true;
    const now = this.#clock();
    for (const [id, entry] of this.#entries) {
      if (entry.expiresAt <= now) this.#entries.delete(id);
    }
    const target = this.#maxKeys - Math.max(1, Math.floor(this.#maxKeys / 16));
    for (const [id, entry] of this.#entries) {
      if (this.#entries.size <= target) break;
      if (entry.expiresAt !== Infinity) this.#entries.delete(id);
    }
    return this.#entries.size < this.#maxKeys;
  }
}
