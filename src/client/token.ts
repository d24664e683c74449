/**
 * The client's token: a fixed string or one fetched through `getToken`, and when it expires.
 *
 * @module
 */
import { RoomdError } from "./errors.ts";

/** Returns a fresh token (e.g. from the application's backend). */
export type GetToken = () => string | Promise<string>;

/**
 * Reads a JWT's `exp` claim without verifying it (the server verifies; the client only needs
 * to know when to refresh).
 *
 * @param token A compact JWT.
 * @returns `exp` in ms since the epoch, or `undefined` when unreadable.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { tokenExpiry } from "./token.ts";
 * const payload = btoa(JSON.stringify({ sub: "1", exp: 2000000000 })).replace(/=+$/, "");
 * assert.equal(tokenExpiry(`e30.${payload}.sig`), 2000000000000);
 * assert.equal(tokenExpiry("not a jwt"), undefined);
 * ```
 */
export function tokenExpiry(token: string): number | undefined {
  const payload = token.split(".")[1];
  if (payload === undefined) return undefined;
  try {
    const base64 = payload.replaceAll("-", "+").replaceAll("_", "/");
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const exp = JSON.parse(new TextDecoder().decode(bytes))?.exp;
    return typeof exp === "number" && Number.isFinite(exp) ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Holds the current token; `fresh()` asks `getToken` for a new one (one call at a time).
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { TokenSource } from "./token.ts";
 * let n = 0;
 * const source = new TokenSource(undefined, () => `t${++n}`);
 * assert.equal(await source.current(), "t1");
 * assert.equal(await source.current(), "t1");
 * assert.equal(await source.fresh(), "t2");
 * ```
 */
export class TokenSource {
  #token: string | undefined;
  readonly #getToken: GetToken | undefined;
  #pending: Promise<string> | null = null;

  /**
   * @param token A token to start with.
   * @param getToken Fetches a fresh token; without it the first token is the only one.
   * @throws {TypeError} When neither is given.
   */
  constructor(token: string | undefined, getToken: GetToken | undefined) {
    if (token === undefined && getToken === undefined) {
      throw new TypeError("Cannot connect: give a token or getToken");
    }
    this.#token = token;
    this.#getToken = getToken;
  }

  /** Whether a fresh token can be fetched. */
  get renewable(): boolean {
    return this.#getToken !== undefined;
  }

  /** When the current token expires (ms since the epoch), when known. */
  get expiresAt(): number | undefined {
    return this.#token === undefined ? undefined : tokenExpiry(this.#token);
  }

  /**
   * The current token, fetched on first use when none was given.
   *
   * @returns The token.
   */
  current(): Promise<string> {
    return this.#token !== undefined ? Promise.resolve(this.#token) : this.fresh();
  }

  /**
   * A new token from `getToken`, which becomes the current one.
   *
   * @returns The token.
   * @throws {RoomdError} `unauthorized` without `getToken`, or when it fails.
   */
  fresh(): Promise<string> {
    const getToken = this.#getToken;
    if (getToken === undefined) {
      return Promise.reject(
        new RoomdError("unauthorized", "Cannot renew token: no getToken was given"),
      );
    }
    this.#pending ??= (async () => {
      try {
        const token = await getToken();
        if (typeof token !== "string" || token === "") throw new TypeError("empty token");
        this.#token = token;
        return token;
      } catch (error) {
        throw new RoomdError("unauthorized", `Cannot renew token: ${(error as Error).message}`);
      } finally {
        this.#pending = null;
      }
    })();
    return this.#pending;
  }
}
