/**
 * Token verification: a JWT in, a {@linkcode Principal} or a short reason out. The accepted
 * algorithms are fixed by configuration, never by the token's header.
 *
 * @module
 */
import {
  createRemoteJWKSet,
  errors,
  importJWK,
  type JWTHeaderParameters,
  jwtVerify,
  type JWTVerifyGetKey,
  type JWTVerifyOptions,
} from "jose";
import { inferAlgorithm, parsePublicKey } from "./_public_key.ts";
import { type Principal, principalFromClaims } from "./principal.ts";
import { utf8Length } from "../protocol/utf8_length.ts";
import { type TokenCacheOptions, VerifiedTokenCache } from "./token_cache.ts";
import { hs256FastPath } from "./hs256_fast.ts";

/** Largest token accepted, in UTF-8 bytes; longer ones are refused before parsing. */
export const MAX_TOKEN_BYTES = 8192;

/** Algorithms used when `jwksUrl` is set and `algorithms` is not. */
export const DEFAULT_JWKS_ALGORITHMS: readonly string[] = ["RS256", "ES256", "EdDSA"];

const ASYMMETRIC_ALGORITHMS = new Set([
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
  "Ed25519",
]);

/** Where the verification key comes from: set exactly one of `secret`, `publicKey`, `jwksUrl`. */
export interface TokenVerifierOptions {
  /** Shared secret for HS256 (its UTF-8 bytes are the key). */
  secret?: string;
  /**
   * Public key: PEM (`-----BEGIN PUBLIC KEY-----`, SPKI; literal `\n` escapes are accepted, as
   * found in environment variables) or a JWK as a JSON string.
   */
  publicKey?: string;
  /** URL of a JSON Web Key Set, fetched and cached. */
  jwksUrl?: string;
  /**
   * Accepted algorithms for `publicKey` or `jwksUrl`. Default for a public key: its JWK `alg`,
   * else by key type (RSA → RS256, EC P-256 → ES256, P-384 → ES384, Ed25519 → EdDSA); for a
   * key set: {@linkcode DEFAULT_JWKS_ALGORITHMS}. With `secret`, only `["HS256"]` is allowed.
   */
  algorithms?: readonly string[];
  /** Required `iss` claim, when set. */
  issuer?: string;
  /** Required `aud` claim (or one of its entries), when set. */
  audience?: string;
  /**
   * The cache of verified tokens (a reconnecting client skips the full check); `maxEntries: 0`
   * turns it off.
   */
  cache?: TokenCacheOptions;
}

/** The outcome of {@linkcode TokenVerifier.verify}. */
export type VerifyResult =
  | { ok: true; principal: Principal }
  | {
    ok: false;
    /** Short and safe to show: `"token expired"`, `"invalid signature"`… never the token. */
    reason: string;
    /** True only when the token was valid but has expired, so clients know to refresh. */
    expired: boolean;
    /**
     * Present when the token could not be checked because the key set cannot be fetched: the
     * fault is the server's, not the client's (answered with 503 `unavailable`).
     */
    unavailable?: true;
  };

/** Checks tokens against the configured key. */
export interface TokenVerifier {
  /**
   * Verifies a token's size, signature, algorithm, `exp` (required), `nbf`, issuer, audience
   * and claims. Never throws.
   *
   * @param token The compact JWT.
   * @returns The principal, or why the token was refused.
   */
  verify(token: string): Promise<VerifyResult>;

  /**
   * Whether tokens can be checked now. Always true for a secret or a public key; for a key set,
   * true while a fetched copy is fresh, else it tries to fetch one (so a probe of `/readyz`
   * recovers without traffic). Never throws.
   *
   * @returns `true` when a key is available.
   */
  ready(): Promise<boolean>;
}

type VerificationKey = CryptoKey | JWTVerifyGetKey;

/** What `createRemoteJWKSet` returns: a key getter that can be told to fetch again. */
type RemoteKeySet = ReturnType<typeof createRemoteJWKSet>;

/**
 * Builds a verifier for one source of keys.
 *
 * @param options Exactly one of `secret`, `publicKey`, `jwksUrl`, plus optional algorithms,
 *   issuer and audience.
 * @returns The verifier.
 * @throws {TypeError} When the options are contradictory or the key cannot be used.
 *
 * @example HS256 with a shared secret
 * ```ts
 * import assert from "assert";
 * import { createTokenVerifier } from "./verifier.ts";
 * import { mintToken } from "./mint.ts";
 * const secret = "correct horse battery staple";
 * const verifier = await createTokenVerifier({ secret });
 * const result = await verifier.verify(await mintToken(secret, { sub: "42" }, "1h"));
 * assert.ok(result.ok && result.principal.id === "42");
 * ```
 */
export async function createTokenVerifier(options: TokenVerifierOptions): Promise<TokenVerifier> {
  const sources = [options.secret, options.publicKey, options.jwksUrl].filter((s) =>
    s !== undefined
  );
  if (sources.length !== 1) {
    throw new TypeError(
      `Cannot create token verifier: set exactly one of secret, publicKey or jwksUrl ` +
        `(${sources.length} set)`,
    );
  }
  const { key, algorithms } = await resolveKey(options);
  const verifyOptions: JWTVerifyOptions = {
    algorithms,
    requiredClaims: ["exp", "sub"],
    issuer: options.issuer,
    audience: options.audience,
  };
  const keySet = options.jwksUrl !== undefined;
  const remote = keySet ? key as RemoteKeySet : undefined;
  const cache = new VerifiedTokenCache(options.cache);
  const fast = options.secret === undefined ? null : hs256FastPath(options.secret, verifyOptions);
  return {
    async ready(): Promise<boolean> {
      if (remote === undefined || remote.fresh) return true;
      try {
        await remote.reload();
        return true;
      } catch {
        return false;
      }
    },
    async verify(token: string): Promise<VerifyResult> {
      if (typeof token !== "string" || token === "") return refuse("malformed token");
      if (token.length > MAX_TOKEN_BYTES || utf8Length(token) > MAX_TOKEN_BYTES) {
        return refuse("token too large");
      }
      const cached = cache.get(token);
      if (cached === "expired") return refuse("token expired", true);
      if (cached !== null) return { ok: true, principal: cached };
      try {
        const quick = fast?.(token) ?? null;
        const payload = quick ??
          (typeof key === "function"
            ? await jwtVerify(token, key, verifyOptions)
            : await jwtVerify(token, key, verifyOptions)).payload;
        const result = principalFromClaims(payload);
        if (!result.ok) return refuse(result.reason);
        // The fast path costs less than a cached copy of the token would hold for as long as
        // its connection stays: only what jose checked is kept.
        if (quick === null) cache.set(token, result.principal);
        return result;
      } catch (err) {
        return describeFailure(err, keySet);
      }
    },
  };
}

async function resolveKey(
  options: TokenVerifierOptions,
): Promise<{ key: VerificationKey; algorithms: string[] }> {
  if (options.secret !== undefined) {
    if (options.secret.length === 0) {
      throw new TypeError("Cannot create token verifier: the secret is empty");
    }
    if (options.algorithms !== undefined && options.algorithms.some((a) => a !== "HS256")) {
      throw new TypeError(
        `Cannot create token verifier: a secret allows only HS256, ` +
          `not ${options.algorithms.join(", ")}`,
      );
    }
    // Imported once: handing jose the raw bytes would import the key again on every verify.
    const key = await crypto.subtle.importKey(
      "raw",
      new TextEncoder().encode(options.secret),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["verify"],
    );
    return { key, algorithms: ["HS256"] };
  }
  if (options.publicKey !== undefined) {
    const jwk = parsePublicKey(options.publicKey);
    const algorithms = pinAlgorithms(options.algorithms ?? [jwk.alg ?? inferAlgorithm(jwk)]);
    const keys = new Map<string, CryptoKey>();
    for (const alg of algorithms) {
      try {
        keys.set(alg, (await importJWK({ ...jwk, alg }, alg)) as CryptoKey);
      } catch (err) {
        throw new TypeError(
          `Cannot create token verifier: the public key cannot be used with ${alg}: ` +
            (err as Error).message,
        );
      }
    }
    const key: JWTVerifyGetKey = (header: JWTHeaderParameters) => {
      const found = keys.get(header.alg);
      if (found === undefined) throw new errors.JOSEAlgNotAllowed("algorithm not allowed");
      return found;
    };
    return { key, algorithms };
  }
  const url = options.jwksUrl ?? "";
  if (!URL.canParse(url)) {
    throw new TypeError(
      `Cannot create token verifier: jwksUrl ${JSON.stringify(url)} is not a URL`,
    );
  }
  const algorithms = pinAlgorithms(options.algorithms ?? DEFAULT_JWKS_ALGORITHMS);
  return { key: createRemoteJWKSet(new URL(url)), algorithms };
}

function pinAlgorithms(algorithms: readonly string[]): string[] {
  if (algorithms.length === 0) {
    throw new TypeError("Cannot create token verifier: the algorithm list is empty");
  }
  const refused = algorithms.find((alg) => !ASYMMETRIC_ALGORITHMS.has(alg));
  if (refused !== undefined) {
    throw new TypeError(
      `Cannot create token verifier: algorithm ${JSON.stringify(refused)} is not allowed with ` +
        `a public key (use ${[...ASYMMETRIC_ALGORITHMS].join(", ")})`,
    );
  }
  return [...new Set(algorithms)];
}

function refuse(reason: string, expired = false): VerifyResult {
  return { ok: false, reason, expired };
}

function describeFailure(err: unknown, keySet: boolean): VerifyResult {
  if (err instanceof errors.JWTExpired) return refuse("token expired", true);
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === "nbf") return refuse("token not yet valid");
    if (err.claim === "iss" && err.reason !== "missing") return refuse("issuer mismatch");
    if (err.claim === "aud" && err.reason !== "missing") return refuse("audience mismatch");
    return refuse(`${err.reason === "missing" ? "missing" : "invalid"} "${err.claim}" claim`);
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) return refuse("invalid signature");
  if (err instanceof errors.JOSEAlgNotAllowed) return refuse("algorithm not allowed");
  if (err instanceof errors.JOSENotSupported) return refuse("unsupported token");
  if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid) {
    return refuse("malformed token");
  }
  if (err instanceof errors.JWKSNoMatchingKey) return refuse("no matching key");
  if (err instanceof errors.JWKSMultipleMatchingKeys) return refuse("ambiguous key");
  if (!keySet) return refuse("invalid token");
  return { ok: false, reason: "key set unavailable", expired: false, unavailable: true };
}
