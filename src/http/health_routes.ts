/**
 * `GET /healthz` (liveness), `GET /readyz` (readiness) and `GET /metrics` (Prometheus).
 *
 * @module
 */
import type { HttpDeps } from "./deps.ts";
import { json, jsonError } from "./json.ts";
import type { Route } from "./router.ts";
import { KEY_SET_RETRY_AFTER_S } from "./ws_checks.ts";

/**
 * Health and metrics routes.
 *
 * @param deps Shared parts.
 * @returns The routes.
 */
export function healthRoutes(deps: HttpDeps): Route[] {
  return [
    { method: "GET", path: "/healthz", handler: () => json({ status: "ok" }) },
    { method: "GET", path: "/readyz", handler: () => readiness(deps) },
    { method: "GET", path: "/metrics", handler: (request) => metrics(deps, request) },
  ];
}

async function readiness(deps: HttpDeps): Promise<Response> {
  if (deps.draining()) return json({ status: "unavailable", reason: "server is draining" }, 503);
  try {
    await deps.store.ping();
  } catch (error) {
    return json(
      { status: "unavailable", reason: `store unreachable: ${(error as Error).message}` },
      503,
    );
  }
  if (!(await deps.verifier.ready())) {
    return json({ status: "unavailable", reason: "key set unavailable" }, 503, {
      "retry-after": String(KEY_SET_RETRY_AFTER_S),
    });
  }
  const failure = deps.broker.failure;
  if (failure) {
    return json({ status: "unavailable", reason: `store writes fail: ${failure.message}` }, 503);
  }
  return json({ status: "ready" });
}

async function metrics(deps: HttpDeps, request: Request): Promise<Response> {
  const expected = deps.config.metricsToken;
  if (expected !== undefined) {
    const given = request.headers.get("authorization") ?? "";
    if (!timingSafeEqual(given, `Bearer ${expected}`)) {
      return jsonError(
        401,
        "unauthorized",
        "Cannot read metrics: a valid metrics token is required",
        {
          "www-authenticate": 'Bearer realm="roomd-metrics"',
        },
      );
    }
  }
  return new Response(await deps.metrics.render(), {
    headers: { "content-type": deps.metrics.contentType },
  });
}

function timingSafeEqual(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    diff |= (a.charCodeAt(i) || 0) ^ (b.charCodeAt(i) || 0);
  }
  return diff === 0;
}
