/**
 * The client's address, honouring `X-Forwarded-For` only behind a trusted proxy.
 *
 * @module
 */

/**
 * The client's IP address.
 *
 * @param request The request.
 * @param remoteAddr The TCP peer.
 * @param trustProxy Whether to believe the first `X-Forwarded-For` entry.
 * @returns The address.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { clientIp } from "./client_ip.ts";
 * const req = new Request("http://x/", { headers: { "x-forwarded-for": "203.0.113.9, 10.0.0.1" } });
 * const peer = { transport: "tcp", hostname: "127.0.0.1", port: 1 } as const;
 * assert.ok(clientIp(req, peer, true) === "203.0.113.9");
 * assert.ok(clientIp(req, peer, false) === "127.0.0.1");
 * ```
 */
export function clientIp(request: Request, remoteAddr: Deno.NetAddr, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = request.headers.get("x-forwarded-for")?.split(",")[0]?.trim();
    if (forwarded) return forwarded;
  }
  return remoteAddr.hostname;
}
