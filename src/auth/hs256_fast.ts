/**
 * A synchronous check of ordinary HS256 tokens. jose checks an HMAC through WebCrypto, an async
 * call that measured 50–150 µs per token on a busy server, the largest cost of accepting a
 * connection; here the MAC is computed in a few µs (`hmac_sha256.ts`). The claims are still
 * checked by jose, with the verifier's options.
 *
 * @module
 */
import { type JWTClaimVerificationOptions, type JWTPayload, UnsecuredJWT } from "jose";
import { hmacSha256Base64url } from "./hmac_sha256.ts";

/** The header of an unsecured JWT, base64url-encoded: `{"alg":"none"}`. */
const NONE_HEADER = "eyJhbGciOiJub25lIn0";

/**
 * Checks a token's HS256 signature and claims.
 *
 * @returns The claims; `null` when the token is anything but a well-formed HS256 token with a
 *   valid signature and valid claims (then the full jose check runs and names the reason).
 */
export type Hs256FastPath = (token: string) => JWTPayload | null;

/**
 * Builds the fast path for one secret. Only plain headers take it (`alg` HS256 and no `crit`
 * or `b64`): anything else, and every failure, is left to the full check.
 *
 * @param secret The shared secret (its UTF-8 bytes are the key, as for the full check).
 * @param claims The claim checks of the full check (required claims, issuer, audience).
 * @returns The check.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { hs256FastPath } from "./hs256_fast.ts";
 * import { mintToken } from "./mint.ts";
 * const check = hs256FastPath("a-secret-of-sixteen+", { requiredClaims: ["exp", "sub"] });
 * const token = await mintToken("a-secret-of-sixteen+", { sub: "42" }, "1h");
 * assert.ok(check(token)?.sub === "42");
 * assert.ok(check(token.slice(0, -2) + "xx") === null);
 * ```
 */
export function hs256FastPath(
  secret: string,
  claims: JWTClaimVerificationOptions,
): Hs256FastPath {
  const mac = hmacSha256Base64url(new TextEncoder().encode(secret));
  const direct = typeof claims.issuer !== "object" && typeof claims.audience !== "object";
  // Tokens of one issuer share their header: the last plain one is not decoded again.
  let plainHeader = "";
  return (token) => {
    const headerEnd = token.indexOf(".");
    const signatureStart = token.lastIndexOf(".") + 1;
    if (headerEnd <= 0 || signatureStart <= headerEnd + 1) return null;
    const header = token.slice(0, headerEnd);
    if (header !== plainHeader) {
      if (!isPlainHs256Header(header)) return null;
      plainHeader = header;
    }
    const signature = token.slice(signatureStart);
    const expected = mac(token.slice(0, signatureStart - 1));
    // Compared as text: only the canonical encoding of the MAC passes here.
    if (expected === null || !constantTimeEqual(signature, expected)) return null;
    const payload = token.slice(headerEnd + 1, signatureStart - 1);
    if (direct) return acceptedClaims(payload, claims);
    try {
      return UnsecuredJWT.decode(`${NONE_HEADER}.${payload}.`, claims).payload;
    } catch {
      return null;
    }
  };
}

const decoder = new TextDecoder();

/**
 * The claims, when they pass what jose checks with these options (a JSON object; `exp` a number
 * after the current second; `nbf`, when present, a number not after it; `iat`, when present, a
 * number; `sub` a string; `iss` and `aud` matching when set); else `null`. jose's own
 * `UnsecuredJWT` costs some 35 µs here, mostly decoding a header it made up.
 */
function acceptedClaims(part: string, claims: JWTClaimVerificationOptions): JWTPayload | null {
  let payload: JWTPayload;
  try {
    payload = JSON.parse(decoder.decode(Uint8Array.fromBase64(part, { alphabet: "base64url" })));
  } catch {
    return null;
  }
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) return null;
  const now = Math.floor(Date.now() / 1000);
  const { exp, nbf, iat, sub, iss, aud } = payload;
  if (typeof exp !== "number" || exp <= now || typeof sub !== "string") return null;
  if (nbf !== undefined && (typeof nbf !== "number" || nbf > now)) return null;
  if (iat !== undefined && typeof iat !== "number") return null;
  if (claims.issuer !== undefined && iss !== claims.issuer) return null;
  if (
    claims.audience !== undefined && aud !== claims.audience &&
    !(Array.isArray(aud) && aud.includes(claims.audience as string))
  ) return null;
  return payload;
}

function isPlainHs256Header(encoded: string): boolean {
  try {
    const header = JSON.parse(atob(encoded.replaceAll("-", "+").replaceAll("_", "/")));
    return typeof header === "object" && header !== null && header.alg === "HS256" &&
      !("crit" in header) && !("b64" in header);
  } catch {
    return false;
  }
}

/** Compares two strings in time that depends on their length only. */
function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
