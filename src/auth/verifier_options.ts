/**
 * The token verifier's options as a configuration gives them.
 *
 * @module
 */
import type { Config } from "../config.ts";
import type { TokenVerifierOptions } from "./verifier.ts";

/**
 * The verifier options a configuration asks for.
 *
 * @param config The configuration (key source, algorithms, issuer, audience).
 * @param secret The HS256 secret in use: the configured one, or the local one made at start-up.
 * @returns Options for `createTokenVerifier`.
 *
 * @example From the defaults
 * ```ts
 * import assert from "assert";
 * import { parseConfig } from "../config.ts";
 * import { verifierOptions } from "./verifier_options.ts";
 * const options = verifierOptions(parseConfig({}), "0123456789abcdef");
 * assert.ok(options.secret === "0123456789abcdef" && options.jwksUrl === undefined);
 * ```
 */
export function verifierOptions(config: Config, secret: string | undefined): TokenVerifierOptions {
  return {
    secret,
    publicKey: config.jwtPublicKey,
    jwksUrl: config.jwksUrl,
    algorithms: config.jwtAlgorithms,
    issuer: config.jwtIssuer,
    audience: config.jwtAudience,
  };
}
