/**
 * A small router: a table of method + URLPattern routes; unknown paths get 404 JSON, known
 * paths with the wrong method get 405 with `Allow`.
 *
 * @module
 */
import { jsonError } from "./json.ts";
import { compilePath, type PathMatcher } from "./path_matcher.ts";

/** What a handler learns about the request besides the request itself. */
export interface RequestContext {
  /** Path parameters, percent-encoded as in the URL. */
  params: Record<string, string | undefined>;
  /** The parsed URL. */
  url: URL;
  /** The peer's address. */
  remoteAddr: Deno.NetAddr;
}

/** A route handler. */
export type Handler = (request: Request, ctx: RequestContext) => Response | Promise<Response>;

/** Told the matched path pattern and its parameters before the handler runs. */
export type MatchHook = (pattern: string, params: Record<string, string | undefined>) => void;

/** One row of the table. */
export interface Route {
  /** HTTP method. */
  method: "GET" | "POST" | "PATCH" | "DELETE" | "PUT";
  /** URLPattern pathname, e.g. `/api/rooms/:id`. */
  path: string;
  /** The handler. */
  handler: Handler;
}

interface CompiledPath {
  /** The pattern, as given to the match hook. */
  pathname: string;
  match: PathMatcher;
  /** The pattern's literal start (up to its first parameter): a path without it cannot match. */
  prefix: string;
  methods: Map<string, Handler>;
}

/**
 * Dispatches requests over a route table.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { Router } from "./router.ts";
 * const router = new Router([{ method: "GET", path: "/hi", handler: () => new Response("hi") }]);
 * const addr = { transport: "tcp", hostname: "127.0.0.1", port: 1 } as const;
 * const res = await router.handle(new Request("http://x/hi", { method: "POST" }), addr);
 * assert.ok(res.status === 405 && res.headers.get("allow") === "GET");
 * ```
 */
export class Router {
  readonly #paths: CompiledPath[] = [];
  readonly #onMatch: MatchHook;

  /**
   * @param routes The table; the first matching path wins.
   * @param onMatch Told each match (the server tags tracing spans with it).
   */
  constructor(routes: Route[], onMatch: MatchHook = () => {}) {
    this.#onMatch = onMatch;
    for (const route of routes) {
      const pathname = new URLPattern({ pathname: route.path }).pathname;
      let path = this.#paths.find((p) => p.pathname === pathname);
      if (!path) {
        path = {
          pathname,
          match: compilePath(route.path),
          prefix: /^[^:*(){}?+\\]*/.exec(route.path)![0],
          methods: new Map(),
        };
        this.#paths.push(path);
      }
      path.methods.set(route.method, route.handler);
    }
  }

  /**
   * The methods a path answers, for CORS preflights.
   *
   * @param pathname A URL path.
   * @returns The methods of the first route table row whose pattern matches, or `null`.
   */
  methodsFor(pathname: string): string[] | null {
    const path = this.#paths.find((p) => p.match(pathname) !== null);
    return path ? [...path.methods.keys()] : null;
  }

  /**
   * Handles a request.
   *
   * @param request The request.
   * @param remoteAddr The peer's address.
   * @param url The request's URL, when the caller has parsed it already.
   * @returns The handler's response, or a JSON 404/405.
   */
  async handle(
    request: Request,
    remoteAddr: Deno.NetAddr,
    url: URL = new URL(request.url),
  ): Promise<Response> {
    const pathname = url.pathname;
    for (const path of this.#paths) {
      if (!pathname.startsWith(path.prefix)) continue;
      const params = path.match(pathname);
      if (params === null) continue;
      const method = request.method === "HEAD" ? "GET" : request.method;
      const handler = path.methods.get(method);
      if (!handler) {
        const allow = [...path.methods.keys()].join(", ");
        return jsonError(
          405,
          "method_not_allowed",
          `Cannot ${request.method} ${url.pathname}: allowed ${allow}`,
          {
            allow,
          },
        );
      }
      this.#onMatch(path.pathname, params);
      return await handler(request, { params, url, remoteAddr });
    }
    return jsonError(404, "not_found", `Cannot find ${url.pathname}`);
  }
}
