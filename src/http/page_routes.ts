/**
 * `GET /` (chat demo), `GET /admin` and their assets, served from the bundle committed in
 * `src/pages/assets.gen.ts`: no CDN, no build step at start-up.
 *
 * @module
 */
import { ASSETS } from "../pages/assets.gen.ts";
import type { Route } from "./router.ts";

/**
 * What the pages may load: their own scripts and styles, and sockets and calls to this server.
 * WebSockets are named because older browsers do not count `ws:` as `'self'`.
 */
const CONTENT_SECURITY_POLICY = "default-src 'self'; connect-src 'self' ws: wss:; " +
  "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/**
 * The page routes, one per asset.
 *
 * @param assets Files by URL path (the committed bundle by default).
 * @returns The routes.
 *
 * @example The demo page
 * ```ts
 * import assert from "assert";
 * import { pageRoutes } from "./page_routes.ts";
 * const routes = pageRoutes({ "/": { type: "text/html", body: "<p>hi</p>" } });
 * assert.ok(routes.length === 1 && routes[0].path === "/");
 * ```
 */
export function pageRoutes(
  assets: Readonly<Record<string, { type: string; body: string }>> = ASSETS,
): Route[] {
  return Object.entries(assets).map(([path, { type, body }]) => {
    const bytes = new TextEncoder().encode(body);
    const headers = {
      "content-type": type,
      "cache-control": "no-cache",
      "content-security-policy": CONTENT_SECURITY_POLICY,
      "x-content-type-options": "nosniff",
    };
    return { method: "GET", path, handler: () => new Response(bytes, { headers }) };
  });
}
