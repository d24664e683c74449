/**
 * `GET /asyncapi.json` and `GET /openapi.json`: the protocol documents for this server's
 * configuration (its declared types, dev mode), built once at start-up.
 *
 * @module
 */
import type { Config } from "../config.ts";
import { buildAsyncApi } from "./asyncapi.ts";
import { buildOpenApi } from "./openapi.ts";
import type { Route } from "../http/router.ts";

/**
 * The document routes. The documents are public (they describe the protocol, not the data), so
 * any origin may read them.
 *
 * @param config The configuration.
 * @returns The routes.
 */
export function docsRoutes(config: Config): Route[] {
  const serve = (document: unknown) => {
    const text = JSON.stringify(document, null, 2);
    const headers = {
      "content-type": "application/json; charset=utf-8",
      "access-control-allow-origin": "*",
      "cache-control": "no-cache",
    };
    return () => new Response(text, { headers });
  };
  return [
    { method: "GET", path: "/asyncapi.json", handler: serve(buildAsyncApi(config.customTypes)) },
    { method: "GET", path: "/openapi.json", handler: serve(buildOpenApi(config)) },
  ];
}
