/**
 * `POST /api/dev/token` (only when `ROOMD_DEV=true`): a one-hour token for the chat demo. It is
 * never an admin token and follows the WebSocket origin rule. Its `sub` is a random id made for
 * the name on first use and kept while the server runs, so a page that fetches a fresh token
 * (refresh, reconnect) stays the same user.
 *
 * @module
 */
import { decodeJwt } from "jose";
import { z } from "zod";
import { mintToken } from "../auth/mint.ts";
import { checkOrigin } from "../auth/origin.ts";
import type { HttpDeps } from "./deps.ts";
import { json, jsonError, readJsonBody } from "./json.ts";
import type { Route } from "./router.ts";

/** Names whose `sub` the route remembers; the oldest is forgotten past this. */
const MAX_NAMES = 10_000;

/** Lifetime of a dev token, in seconds. */
export const DEV_TOKEN_TTL_S = 3600;

/** Body of `POST /api/dev/token`: a display name and, optionally, the rooms to grant. */
export const devTokenBody = z.strictObject({
  name: z.string().trim().min(1).max(40),
  rooms: z.array(z.string().min(1).max(65)).max(50).optional(),
});

/** Answer of `POST /api/dev/token`. */
export const devTokenReply = z.strictObject({
  token: z.string().describe("HS256 JWT for the WebSocket and the HTTP API"),
  exp: z.int().describe("Expiry, in Unix seconds"),
});

/**
 * The dev token route, signing with the server's HS256 secret.
 *
 * @param deps Shared parts (its `config.allowedOrigins` gives the origin rule).
 * @param secret The HS256 secret tokens are verified with.
 * @returns The route.
 */
export function devTokenRoute(deps: HttpDeps, secret: string): Route {
  const subs = new Map<string, string>();
  const subOf = (name: string) => {
    let sub = subs.get(name);
    if (sub === undefined) {
      sub = `dev-${crypto.randomUUID().slice(0, 13)}`;
      if (subs.size >= MAX_NAMES) subs.delete(subs.keys().next().value as string);
      subs.set(name, sub);
    }
    return sub;
  };
  return {
    method: "POST",
    path: "/api/dev/token",
    handler: async (request) => {
      const originRefusal = checkOrigin(request, deps.origins);
      if (originRefusal !== null) {
        return jsonError(
          403,
          "origin_not_allowed",
          originRefusal.replace("Cannot connect", "Cannot issue a dev token"),
        );
      }
      const body = await readJsonBody(request);
      if (!body.ok) return body.response;
      const parsed = devTokenBody.safeParse(body.value);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const path = issue.path.map(String).join(".");
        return jsonError(
          400,
          "invalid_body",
          `Invalid body: ${path ? `${path}: ` : ""}${issue.message}`,
        );
      }
      const { name, rooms } = parsed.data;
      const sub = subOf(name);
      const token = await mintToken(secret, { sub, name, rooms }, DEV_TOKEN_TTL_S);
      const exp = decodeJwt(token).exp;
      deps.log.info("Issued a dev token for {name} ({sub})", { name, sub });
      return json({ token, exp }, 201, { "cache-control": "no-store" });
    },
  };
}
