/**
 * HMAC-SHA256 over ASCII text, in plain TypeScript with the key's pads hashed once. A JWT's
 * signing input is a few hundred ASCII bytes: this costs a few µs, where `node:crypto`'s
 * `createHmac` builds a stream object per call (~50 µs measured on a busy server) and WebCrypto
 * is an async call.
 *
 * @module
 */

const K = Int32Array.from([
  0x428a2f98,
  0x71374491,
  0xb5c0fbcf,
  0xe9b5dba5,
  0x3956c25b,
  0x59f111f1,
  0x923f82a4,
  0xab1c5ed5,
  0xd807aa98,
  0x12835b01,
  0x243185be,
  0x550c7dc3,
  0x72be5d74,
  0x80deb1fe,
  0x9bdc06a7,
  0xc19bf174,
  0xe49b69c1,
  0xefbe4786,
  0x0fc19dc6,
  0x240ca1cc,
  0x2de92c6f,
  0x4a7484aa,
  0x5cb0a9dc,
  0x76f988da,
  0x983e5152,
  0xa831c66d,
  0xb00327c8,
  0xbf597fc7,
  0xc6e00bf3,
  0xd5a79147,
  0x06ca6351,
  0x14292967,
  0x27b70a85,
  0x2e1b2138,
  0x4d2c6dfc,
  0x53380d13,
  0x650a7354,
  0x766a0abb,
  0x81c2c92e,
  0x92722c85,
  0xa2bfe8a1,
  0xa81a664b,
  0xc24b8b70,
  0xc76c51a3,
  0xd192e819,
  0xd6990624,
  0xf40e3585,
  0x106aa070,
  0x19a4c116,
  0x1e376c08,
  0x2748774c,
  0x34b0bcb5,
  0x391c0cb3,
  0x4ed8aa4a,
  0x5b9cca4f,
  0x682e6ff3,
  0x748f82ee,
  0x78a5636f,
  0x84c87814,
  0x8cc70208,
  0x90befffa,
  0xa4506ceb,
  0xbef9a3f7,
  0xc67178f2,
]);
const INITIAL = Int32Array.from([
  0x6a09e667,
  0xbb67ae85,
  0x3c6ef372,
  0xa54ff53a,
  0x510e527f,
  0x9b05688c,
  0x1f83d9ab,
  0x5be0cd19,
]);
const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** Hashes one 64-byte block (as 16 big-endian words already in `w[0..15]`) into `state`. */
function compress(state: Int32Array, w: Int32Array): void {
  for (let i = 16; i < 64; i++) {
    const a = w[i - 15];
    const b = w[i - 2];
    const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
    const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
    w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
  }
  let a = state[0], b = state[1], c = state[2], d = state[3];
  let e = state[4], f = state[5], g = state[6], h = state[7];
  for (let i = 0; i < 64; i++) {
    const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + s1 + ((e & f) ^ (~e & g)) + K[i] + w[i]) | 0;
    const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (s0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  state[0] = (state[0] + a) | 0;
  state[1] = (state[1] + b) | 0;
  state[2] = (state[2] + c) | 0;
  state[3] = (state[3] + d) | 0;
  state[4] = (state[4] + e) | 0;
  state[5] = (state[5] + f) | 0;
  state[6] = (state[6] + g) | 0;
  state[7] = (state[7] + h) | 0;
}

/** The state after hashing one block of the key XOR `pad`. */
function padState(key: Uint8Array, pad: number): Int32Array {
  const w = new Int32Array(64);
  for (let i = 0; i < 64; i++) {
    w[i >> 2] |= ((key[i] ?? 0) ^ pad) << (24 - 8 * (i & 3));
  }
  const state = INITIAL.slice();
  compress(state, w);
  return state;
}

/**
 * Builds an HMAC-SHA256 for one key.
 *
 * @param key The key bytes (longer than 64 bytes: hashed first, as HMAC requires).
 * @returns A function from ASCII text to its MAC in unpadded base64url, or `null` when the text
 *   holds a character above 0x7f.
 *
 * @example The RFC 4231 test case 2
 * ```ts
 * import assert from "assert";
 * import { hmacSha256Base64url } from "./hmac_sha256.ts";
 * const mac = hmacSha256Base64url(new TextEncoder().encode("Jefe"));
 * assert.ok(mac("what do ya want for nothing?") === "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM");
 * ```
 */
export function hmacSha256Base64url(key: Uint8Array): (text: string) => string | null {
  if (key.length > 64) key = sha256(key);
  const inner = padState(key, 0x36);
  const outer = padState(key, 0x5c);
  const w = new Int32Array(64);
  const state = new Int32Array(8);
  return (text) => {
    state.set(inner);
    const length = text.length;
    const total = 64 + length; // the ipad block counts in the length
    const blocks = Math.ceil((length + 9) / 64);
    for (let block = 0; block < blocks; block++) {
      w.fill(0, 0, 16);
      const start = block * 64;
      for (let i = 0; i < 64; i++) {
        const at = start + i;
        let byte: number;
        if (at < length) {
          byte = text.charCodeAt(at);
          if (byte > 0x7f) return null;
        } else byte = at === length ? 0x80 : 0;
        w[i >> 2] |= byte << (24 - 8 * (i & 3));
      }
      if (block === blocks - 1) {
        w[14] = Math.floor((total * 8) / 0x100000000);
        w[15] = (total * 8) | 0;
      }
      compress(state, w);
    }
    w.fill(0, 0, 16);
    for (let i = 0; i < 8; i++) w[i] = state[i];
    w[8] = 0x80000000 | 0;
    w[15] = (64 + 32) * 8;
    state.set(outer);
    compress(state, w);
    return base64url(state);
  };
}

/** SHA-256 of bytes (for keys longer than a block). */
function sha256(bytes: Uint8Array): Uint8Array {
  const state = INITIAL.slice();
  const w = new Int32Array(64);
  const blocks = Math.ceil((bytes.length + 9) / 64);
  for (let block = 0; block < blocks; block++) {
    w.fill(0, 0, 16);
    for (let i = 0; i < 64; i++) {
      const at = block * 64 + i;
      const byte = at < bytes.length ? bytes[at] : at === bytes.length ? 0x80 : 0;
      w[i >> 2] |= byte << (24 - 8 * (i & 3));
    }
    if (block === blocks - 1) {
      w[14] = Math.floor((bytes.length * 8) / 0x100000000);
      w[15] = (bytes.length * 8) | 0;
    }
    compress(state, w);
  }
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = (state[i >> 2] >>> (24 - 8 * (i & 3))) & 0xff;
  return out;
}

/** The 32 digest bytes in `state` as unpadded base64url (43 characters). */
function base64url(state: Int32Array): string {
  let out = "";
  let bits = 0;
  let count = 0;
  for (let i = 0; i < 32; i++) {
    bits = (bits << 8) | ((state[i >> 2] >>> (24 - 8 * (i & 3))) & 0xff);
    count += 8;
    while (count >= 6) {
      count -= 6;
      out += BASE64URL[(bits >>> count) & 63];
    }
    bits &= (1 << count) - 1;
  }
  if (count > 0) out += BASE64URL[(bits << (6 - count)) & 63];
  return out;
}
