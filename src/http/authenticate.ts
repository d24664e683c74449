/**
 * Bearer-token authentication of API requests.
 *
 * @module
 */
import type { Principal } from "../auth/principal.ts";
import { tokenFromRequest } from "../auth/request_token.ts";
import type { TokenVerifier } from "../auth/verifier.ts";
import { jsonError } from "./json.ts";
import { KEY_SET_RETRY_AFTER_S } from "./ws_checks.ts";

/** The caller, or the response refusing it. */
export type AuthResult = { ok: true; principal: Principal } | { ok: false; response: Response };

/**
 * Authenticates a request by its token (`Authorization: Bearer` or `?token=`).
 *
 * @param verifier Token verifier.
 * @param request The request.
 * @param url Its URL.
 * @param adminOnly Refuse non-admins with 403.
 * @returns The principal, or a 401/403 response (503 `unavailable` when the key set cannot be
 *   fetched).
 */
export async function authenticate(
  verifier: TokenVerifier,
  request: Request,
  url: URL,
  adminOnly = false,
): Promise<AuthResult> {
  const token = tokenFromRequest(request, url)?.token ?? null;
  if (token === null) {
    return {
      ok: false,
      response: unauthorized("Cannot authenticate: no token (use Authorization: Bearer)"),
    };
  }
  const verified = await verifier.verify(token);
  if (!verified.ok && verified.unavailable) {
    return {
      ok: false,
      response: jsonError(503, "unavailable", `Cannot authenticate: ${verified.reason}`, {
        "retry-after": String(KEY_SET_RETRY_AFTER_S),
      }),
    };
  }
  if (!verified.ok) {
    return { ok: false, response: unauthorized(`Cannot authenticate: ${verified.reason}`) };
  }
  if (adminOnly && !verified.principal.admin) {
    return {
      ok: false,
      response: jsonError(403, "forbidden", "Cannot access this endpoint: admin token required"),
    };
  }
  return { ok: true, principal: verified.principal };
}

function unauthorized(message: string): Response {
  return jsonError(401, "unauthorized", message, { "www-authenticate": 'Bearer realm="roomd"' });
}
