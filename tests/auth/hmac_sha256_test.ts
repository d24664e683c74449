import assert from "assert";
import { createHmac } from "node:crypto";
import { hmacSha256Base64url } from "../../src/auth/hmac_sha256.ts";

Deno.test("hmacSha256Base64url() matches node:crypto for keys and texts of every length", () => {
  const ascii = (n: number) =>
    Array.from({ length: n }, (_, i) => String.fromCharCode(32 + ((i * 7 + n) % 95))).join("");
  for (const keyLength of [1, 16, 32, 63, 64, 65, 100]) {
    const key = crypto.getRandomValues(new Uint8Array(keyLength));
    const mac = hmacSha256Base64url(key);
    for (let n = 0; n < 300; n += n < 70 ? 1 : 37) {
      const text = ascii(n);
      assert.equal(
        mac(text),
        createHmac("sha256", key).update(text).digest("base64url"),
        `key ${keyLength} B, text ${n} B`,
      );
    }
  }
});

Deno.test("hmacSha256Base64url() returns null for text beyond ASCII", () => {
  const mac = hmacSha256Base64url(new TextEncoder().encode("key"));
  assert.equal(mac("caf\u00e9"), null);
});
