/**
 * Reading a configured public key and guessing its algorithm (for the token verifier).
 *
 * @module
 */
import type { JWK } from "jose";
import { createPublicKey } from "node:crypto";

/**
 * Reads a public key: PEM SPKI (literal `\n` escapes accepted) or a JWK JSON object without
 * secret material.
 *
 * @param text The configured key.
 * @returns The key as a JWK.
 * @throws {TypeError} When it is neither, or holds secret material.
 */
export function parsePublicKey(text: string): JWK {
  const trimmed = text.trim();
  let jwk: unknown;
  if (trimmed.startsWith("{")) {
    try {
      jwk = JSON.parse(trimmed);
    } catch (err) {
      throw new TypeError(
        `Cannot create token verifier: the public key is not valid JWK JSON: ` +
          (err as Error).message,
      );
    }
  } else if (trimmed.startsWith("-----BEGIN PUBLIC KEY-----")) {
    try {
      jwk = createPublicKey(trimmed.replaceAll("\\n", "\n")).export({ format: "jwk" });
    } catch (err) {
      throw new TypeError(
        `Cannot create token verifier: the public key PEM cannot be read: ${
          (err as Error).message
        }`,
      );
    }
  } else {
    throw new TypeError(
      "Cannot create token verifier: the public key is neither a PEM public key " +
        '("-----BEGIN PUBLIC KEY-----") nor a JWK JSON object',
    );
  }
  if (typeof jwk !== "object" || jwk === null || Array.isArray(jwk)) {
    throw new TypeError("Cannot create token verifier: the public key JWK is not an object");
  }
  const key = jwk as JWK;
  if (key.kty === "oct" || key.d !== undefined) {
    throw new TypeError(
      "Cannot create token verifier: the public key JWK holds secret material (kty oct or d)",
    );
  }
  return key;
}

/**
 * The usual algorithm of a key type: RSA → RS256, EC P-256 → ES256, P-384 → ES384,
 * Ed25519 → EdDSA.
 *
 * @param jwk The key.
 * @returns The algorithm.
 * @throws {TypeError} For other key types.
 */
export function inferAlgorithm(jwk: JWK): string {
  if (jwk.kty === "RSA") return "RS256";
  if (jwk.kty === "EC" && jwk.crv === "P-256") return "ES256";
  if (jwk.kty === "EC" && jwk.crv === "P-384") return "ES384";
  if (jwk.kty === "OKP" && jwk.crv === "Ed25519") return "EdDSA";
  const type = [jwk.kty, jwk.crv].filter((part) => part !== undefined).join(" ");
  throw new TypeError(
    `Cannot create token verifier: cannot infer the algorithm of a ${type} key; set algorithms`,
  );
}
