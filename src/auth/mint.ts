/**
 * Issuing HS256 tokens with a shared secret: for the token CLI, tests and the load tool.
 *
 * @module
 */
import { SignJWT } from "jose";
import { MAX_NAME_LENGTH, MAX_SUBJECT_LENGTH } from "./principal.ts";

/** The claims a minted token carries besides `iat` and `exp`. */
export interface MintClaims {
  /** The user id (1 to 128 characters). */
  sub: string;
  /** The display name (at most 100 characters). */
  name?: string;
  /** Whether the user may administer rooms. */
  admin?: boolean;
  /** Room patterns the user may join; omitted means any room. */
  rooms?: string[];
}

/** Registered claims a token may need to satisfy the server's verifier. */
export interface MintOptions {
  /** `iss` claim (set it to the server's `ROOMD_JWT_ISSUER`). */
  issuer?: string;
  /** `aud` claim (set it to the server's `ROOMD_JWT_AUDIENCE`). */
  audience?: string;
}

const TTL_UNITS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86400 };

/**
 * Reads a lifetime: a whole number of seconds, or a string such as `"45s"`, `"30m"`, `"1h"`,
 * `"2d"` (a bare `"90"` is seconds).
 *
 * @param ttl The lifetime.
 * @returns The lifetime in seconds, or `null` unless it is a positive whole number of seconds.
 *
 * @example Units
 * ```ts
 * import assert from "assert";
 * import { parseTtl } from "./mint.ts";
 * assert.ok(parseTtl("30m") === 1800 && parseTtl(90) === 90 && parseTtl("soon") === null);
 * ```
 */
export function parseTtl(ttl: string | number): number | null {
  if (typeof ttl === "number") return Number.isSafeInteger(ttl) && ttl > 0 ? ttl : null;
  const match = /^(\d{1,9})([smhd]?)$/.exec(ttl.trim());
  if (match === null) return null;
  const seconds = Number(match[1]) * (TTL_UNITS[match[2]] ?? 1);
  return seconds > 0 ? seconds : null;
}

/**
 * Signs an HS256 token with `iat` set to now and `exp` to now plus `ttl`. The secret is used as
 * its UTF-8 bytes, as the verifier does.
 *
 * @param secret The shared secret (`ROOMD_JWT_SECRET` or the local secret file).
 * @param claims The user id and optional name, admin flag and rooms.
 * @param ttl The lifetime: seconds, or `"45s"`, `"30m"`, `"1h"`, `"2d"`.
 * @param options `iss` and `aud` claims, when the server requires them.
 * @returns The compact JWT.
 * @throws {RangeError} When `ttl` is not a positive lifetime.
 * @throws {TypeError} When `sub` or `name` is empty or too long.
 *
 * @example A one-hour token for user 42
 * ```ts
 * import assert from "assert";
 * import { mintToken } from "./mint.ts";
 * const token = await mintToken("a-secret-of-sixteen+", { sub: "42", name: "alice" }, "1h");
 * assert.ok(token.split(".").length === 3);
 * ```
 */
export async function mintToken(
  secret: string,
  claims: MintClaims,
  ttl: string | number,
  options: MintOptions = {},
): Promise<string> {
  const seconds = parseTtl(ttl);
  if (seconds === null) {
    throw new RangeError(
      `Cannot mint token: ttl ${JSON.stringify(ttl)} is not a positive number of seconds or a ` +
        `number followed by s, m, h or d`,
    );
  }
  if (claims.sub.length === 0 || claims.sub.length > MAX_SUBJECT_LENGTH) {
    throw new TypeError(
      `Cannot mint token: sub is ${claims.sub.length} characters, need 1 to ${MAX_SUBJECT_LENGTH}`,
    );
  }
  if (claims.name !== undefined && claims.name.length > MAX_NAME_LENGTH) {
    throw new TypeError(
      `Cannot mint token: name is ${claims.name.length} characters, at most ${MAX_NAME_LENGTH}`,
    );
  }
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({ ...claims })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuedAt(now)
    .setExpirationTime(now + seconds);
  if (options.issuer !== undefined) jwt.setIssuer(options.issuer);
  if (options.audience !== undefined) jwt.setAudience(options.audience);
  return await jwt.sign(new TextEncoder().encode(secret));
}
