/**
 * Why a WebSocket handshake failed. A browser sees only 1006 when roomd refuses an upgrade, so
 * the client asks `GET /api/connect/:room_id`, which runs the same checks and answers the same
 * status, body and `Retry-After`.
 *
 * @module
 */
import { RoomdError } from "./errors.ts";

/** What to do after a failed handshake. */
export type HandshakeVerdict =
  /** Nothing refuses the connection now (or the server could not tell): back off and retry. */
  | { action: "retry" }
  /** Refused for now (429, 503): retry after `ms`. */
  | { action: "wait"; ms: number; error: RoomdError }
  /** The token was refused (401): retry with a fresh one, if the client can get one. */
  | { action: "renew"; error: RoomdError }
  /** Refused for good (403, 409, 400): stop. */
  | { action: "stop"; error: RoomdError };

/** Wait when a 429/503 carries no `Retry-After`, in ms. */
const DEFAULT_WAIT_MS = 5_000;

/**
 * Asks the server whether a connection would be accepted, and what to do.
 *
 * @param fetchFn `fetch`, or a replacement.
 * @param url The `GET /api/connect/:room_id` URL (with the resume query, without the token).
 * @param token The token the handshake used.
 * @returns The verdict; a network error or an unknown answer means "retry".
 *
 * @example A refused token
 * ```ts
 * import assert from "assert";
 * import { checkHandshake } from "./handshake.ts";
 * const fetchFn = () =>
 *   Promise.resolve(Response.json({ error: { code: "unauthorized", message: "no" } }, { status: 401 }));
 * const verdict = await checkHandshake(fetchFn, "http://x/api/connect/lobby", "t");
 * assert.equal(verdict.action, "renew");
 * ```
 */
export async function checkHandshake(
  fetchFn: typeof fetch,
  url: string,
  token: string,
): Promise<HandshakeVerdict> {
  let response: Response;
  try {
    response = await fetchFn(url, { headers: { authorization: `Bearer ${token}` } });
  } catch {
    return { action: "retry" };
  }
  if (response.status === 204 || response.status < 400) {
    await response.body?.cancel();
    return { action: "retry" };
  }
  const error = await readError(response);
  switch (response.status) {
    case 401:
      return { action: "renew", error };
    case 400:
    case 403:
    case 409:
      return error.code === "not_found" ? { action: "retry" } : { action: "stop", error };
    case 429:
    case 503:
      return { action: "wait", ms: retryAfterMs(response.headers.get("retry-after")), error };
    default:
      return { action: "retry" };
  }
}

async function readError(response: Response): Promise<RoomdError> {
  try {
    const body = await response.json();
    const { code, message } = body?.error ?? {};
    if (typeof code === "string" && typeof message === "string") {
      return new RoomdError(code, message);
    }
  } catch { /* not a roomd error body */ }
  return new RoomdError("refused", `Cannot connect: the server answered ${response.status}`);
}

function retryAfterMs(header: string | null): number {
  if (header === null) return DEFAULT_WAIT_MS;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? DEFAULT_WAIT_MS : Math.max(0, date - Date.now());
}
