/**
 * The checks a WebSocket handshake passes before any room is touched: draining, room id, origin,
 * join rate, token, room grant, resume parameters. They answer with a value, so the upgrade
 * route and a handshake-check endpoint can run the same checks.
 *
 * @module
 */
import { checkOrigin } from "../auth/origin.ts";
import type { Principal } from "../auth/principal.ts";
import {
  offeredSubprotocols,
  SUBPROTOCOL,
  tokenFromRequest,
  type TokenSource,
} from "../auth/request_token.ts";
import { mayJoinRoom } from "../auth/rooms_claim.ts";
import type { UserSlot } from "../limits/user_limits.ts";
import type { ResumeRequest } from "../room/room.ts";
import { clientIp } from "./client_ip.ts";
import type { HttpDeps } from "./deps.ts";
import { parseRoomId, ROOM_ID_PATTERN } from "./room_id.ts";
import type { RequestContext } from "./router.ts";

/** How long a client should wait before retrying when the key set is unavailable. */
export const KEY_SET_RETRY_AFTER_S = 5;

/** A refused handshake: answered with this status and `{"error":{code,message}}`. */
export interface Refusal {
  /** HTTP status. */
  status: number;
  /** Error code. */
  code: string;
  /** "Cannot …" message for the client. */
  message: string;
  /** Extra headers, e.g. `Retry-After`. */
  headers?: Record<string, string>;
}

/** A handshake that passed the checks. */
export interface Handshake {
  /** The room asked for. */
  roomId: string;
  /** The verified user. */
  principal: Principal;
  /** The client's address (behind a trusted proxy, the forwarded one). */
  ip: string;
  /** `?since=&epoch=`, when resuming. */
  resume: ResumeRequest | undefined;
  /** Where the token came from. */
  tokenSource: TokenSource;
  /** The subprotocol to select in the answer (`roomd` when offered). */
  protocol: string | undefined;
}

/** The outcome of {@linkcode checkHandshake}. */
export type HandshakeCheck = { ok: true; handshake: Handshake } | { ok: false; refusal: Refusal };

/**
 * Runs the checks of `GET /ws/:room_id` that come before the room: draining (503), room id
 * (400), origin (403; a request authenticated by an `Authorization` header that carries no
 * `Origin` is not a browser's and skips it), join rate per IP (429), token (401, or 503
 * `unavailable` when the key set cannot be fetched), room grant (403), join rate per user across
 * nodes (429, or 503 `unavailable` when it cannot be counted),
 * resume parameters (400), and the reconnect penalty of a client closed with 1009 (429). Each
 * join-rate check consumes one attempt, unless `mode` is `"check"`: the dry run of
 * `GET /api/connect/:room_id` only peeks (a later upgrade takes the attempt) and, changing
 * nothing, needs no `Origin` (a same-origin fetch sends none).
 *
 * @param deps Shared parts.
 * @param request The handshake request.
 * @param ctx Its context (`room_id` parameter, URL, peer address).
 * @param mode `"upgrade"` for a real connection, `"check"` for a dry run.
 * @returns The handshake, or the refusal to answer with.
 */
export async function checkHandshake(
  deps: HttpDeps,
  request: Request,
  ctx: RequestContext,
  mode: "upgrade" | "check" = "upgrade",
): Promise<HandshakeCheck> {
  const { config } = deps;
  const takeJoin = (key: string) =>
    mode === "upgrade" ? deps.joins.attempt(key) : deps.joins.peek(key);
  const refuse = (refusal: Refusal): HandshakeCheck => ({ ok: false, refusal });
  if (deps.draining()) {
    return refuse({
      status: 503,
      code: "shutting_down",
      message: "Cannot connect: server is shutting down",
    });
  }
  const roomId = parseRoomId(ctx.params.room_id);
  if (roomId === null) {
    return refuse({
      status: 400,
      code: "invalid_room",
      message: `Cannot connect: room id must match ${ROOM_ID_PATTERN.source}`,
    });
  }
  const token = tokenFromRequest(request, ctx.url);
  const originless = !request.headers.has("origin") &&
    (mode === "check" || token?.source === "header");
  const originRefusal = originless ? null : checkOrigin(request, deps.origins);
  if (originRefusal !== null) {
    return refuse({ status: 403, code: "origin_not_allowed", message: originRefusal });
  }
  const ip = clientIp(request, ctx.remoteAddr, config.trustProxy);
  const ipPenalty = deps.penalties.waitSeconds(`ip:${ip}`);
  if (ipPenalty > 0) return refuse(penalized(ipPenalty));
  const ipWait = takeJoin(`ip:${ip}`);
  if (ipWait > 0) {
    return refuse({
      status: 429,
      code: "rate_limited",
      message: "Cannot connect: too many connection attempts from this address",
      headers: { "retry-after": String(ipWait) },
    });
  }
  if (token === null) {
    return refuse({
      status: 401,
      code: "unauthorized",
      message: "Cannot connect: no token (use Authorization: Bearer, the roomd.token. " +
        "subprotocol or ?token=)",
    });
  }
  const verified = await deps.verifier.verify(token.token);
  if (!verified.ok) {
    if (verified.unavailable) {
      return refuse({
        status: 503,
        code: "unavailable",
        message: `Cannot connect: ${verified.reason}`,
        headers: { "retry-after": String(KEY_SET_RETRY_AFTER_S) },
      });
    }
    return refuse({
      status: 401,
      code: "unauthorized",
      message: `Cannot connect: ${verified.reason}`,
    });
  }
  const principal = verified.principal;
  if (!mayJoinRoom(principal, roomId)) {
    return refuse({
      status: 403,
      code: "forbidden",
      message: `Cannot join room "${roomId}": the token does not grant it`,
    });
  }
  const userPenalty = deps.penalties.waitSeconds(`user:${principal.id}`);
  if (userPenalty > 0) return refuse(penalized(userPenalty));
  const userJoin = mode === "upgrade"
    ? await deps.userLimits.attemptJoin(principal.id)
    : await deps.userLimits.peekJoin(principal.id);
  if (!userJoin.ok) {
    if (userJoin.reason === "unavailable") return refuse(unavailable(userJoin.message));
    return refuse({
      status: 429,
      code: "rate_limited",
      message: "Cannot connect: too many connection attempts by this user",
      headers: { "retry-after": String(userJoin.retryAfterS) },
    });
  }
  const resume = parseResume(ctx.url);
  if (resume === "invalid") {
    return refuse({
      status: 400,
      code: "invalid_since",
      message: "Cannot resume: since must be a whole number ≥ 0",
    });
  }
  const protocol = offeredSubprotocols(request).includes(SUBPROTOCOL) ? SUBPROTOCOL : undefined;
  if (token.source === "subprotocol" && protocol === undefined) {
    // A browser fails a handshake whose answer selects none of the offered subprotocols.
    return refuse({
      status: 400,
      code: "bad_upgrade",
      message: `Cannot connect: offer the subprotocol "${SUBPROTOCOL}" with roomd.token.<JWT>`,
    });
  }
  return {
    ok: true,
    handshake: { roomId, principal, ip, resume, tokenSource: token.source, protocol },
  };
}

/**
 * The refusal of a connection slot of a user (`UserLimits`): 429 `too_many_connections` at the
 * limit, 503 `unavailable` when the limits cannot be counted.
 *
 * @param slot The refused slot.
 * @returns The refusal to answer with.
 */
export function userSlotRefusal(slot: Exclude<UserSlot, { ok: true }>): Refusal {
  if (slot.reason === "unavailable") return unavailable(slot.message);
  return {
    status: 429,
    code: "too_many_connections",
    message: `Cannot connect: user has too many connections (${slot.held} of ${slot.limit})`,
  };
}

function unavailable(reason: string): Refusal {
  return {
    status: 503,
    code: "unavailable",
    message: `Cannot connect: ${reason}`,
    headers: { "retry-after": "1" },
  };
}

/** The refusal of a client still waiting out an oversized-frame penalty. */
function penalized(seconds: number): Refusal {
  return {
    status: 429,
    code: "rate_limited",
    message: `Cannot connect: a frame over the size limit was sent recently; retry in ${seconds} s`,
    headers: { "retry-after": String(seconds) },
  };
}

function parseResume(url: URL): ResumeRequest | undefined | "invalid" {
  const since = url.searchParams.get("since");
  if (since === null || since === "") return undefined;
  if (!/^\d{1,15}$/.test(since)) return "invalid";
  const epoch = url.searchParams.get("epoch") || undefined;
  return { since: Number(since), epoch };
}
