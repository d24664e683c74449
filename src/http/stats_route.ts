/**
 * `GET /api/stats` (admin): the server's figures as JSON, with the busiest rooms and rates.
 *
 * @module
 */
import { authenticate } from "./authenticate.ts";
import type { HttpDeps } from "./deps.ts";
import { json } from "./json.ts";
import type { Route } from "./router.ts";

/**
 * The stats route: 401 without a valid token, 403 for non-admins, else
 * `Metrics.stats()` as JSON.
 *
 * @param deps Shared parts.
 * @returns The route.
 */
export function statsRoute(deps: HttpDeps): Route {
  return {
    method: "GET",
    path: "/api/stats",
    handler: async (request, ctx) => {
      const auth = await authenticate(deps.verifier, request, ctx.url, true);
      if (!auth.ok) return auth.response;
      return json(deps.metrics.stats(), 200, { "cache-control": "no-store" });
    },
  };
}
