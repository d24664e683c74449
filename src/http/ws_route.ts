/**
 * `GET /ws/:room_id`: every check happens before the upgrade, and a refusal is an HTTP status
 * with a JSON body.
 *
 * @module
 */
import { isOriginAllowed } from "../auth/origin.ts";
import { tokenFromRequest } from "../auth/request_token.ts";
import { mayJoinRoom } from "../auth/rooms_claim.ts";
import type { ResumeRequest } from "../room/room.ts";
import type { InboundDeps } from "../ws/inbound.ts";
import type { SlowConsumerHook } from "../ws/connection.ts";
import { createSession } from "../ws/session.ts";
import { upgradeWebSocket } from "../ws/upgrade.ts";
import { clientIp } from "./client_ip.ts";
import type { HttpDeps } from "./deps.ts";
import { jsonError } from "./json.ts";
import { parseRoomId } from "./room_id.ts";
import type { RequestContext, Route } from "./router.ts";

/**
 * The WebSocket route.
 *
 * @param deps Shared parts.
 * @returns The route.
 */
export function wsRoute(deps: HttpDeps): Route {
  const inbound: InboundDeps = {
    maxMessageBytes: deps.config.maxMessageBytes,
    types: deps.types,
    metrics: deps.metrics,
  };
  const shared: RouteShared = {
    inbound,
    onSlowConsumer: () => deps.metrics.slowConsumerDisconnect(),
  };
  return {
    method: "GET",
    path: "/ws/:room_id",
    handler: (request, ctx) => connect(deps, shared, request, ctx),
  };
}

/** What every connection of the route shares. */
interface RouteShared {
  inbound: InboundDeps;
  onSlowConsumer: SlowConsumerHook;
}

async function connect(
  deps: HttpDeps,
  shared: RouteShared,
  request: Request,
  ctx: RequestContext,
): Promise<Response> {
  const { config, metrics } = deps;
  const ip = clientIp(request, ctx.remoteAddr, config.trustProxy);
  const log = deps.log.with({ ip });
  const refuse = (
    status: number,
    code: string,
    message: string,
    headers: Record<string, string> = {},
  ) => {
    metrics.connectionRejected(code);
    if ((status === 429 || status === 503) && headers["retry-after"] === undefined) {
      headers = { ...headers, "retry-after": retryAfterFor(code) };
    }
    log[status >= 500 ? "warning" : "info"]("Refused connection: {status} {code}: {reason}", {
      status,
      code,
      reason: message,
    });
    return jsonError(status, code, message, headers);
  };
  if (deps.draining()) {
    return refuse(503, "shutting_down", "Cannot connect: server is shutting down");
  }
  const roomId = parseRoomId(ctx.params.room_id);
  if (roomId === null) {
    return refuse(
      400,
      "invalid_room",
      "Cannot connect: room id must match ^[A-Za-z0-9._:-]{1,64}$",
    );
  }
  if (!isOriginAllowed(request, config.allowedOrigins)) {
    const origin = request.headers.get("origin");
    return refuse(
      403,
      "origin_not_allowed",
      origin
        ? `Cannot connect: origin ${origin} is not allowed`
        : "Cannot connect: Origin header is missing",
    );
  }
  const ipWait = deps.joins.attempt(`ip:${ip}`);
  if (ipWait > 0) {
    return refuse(
      429,
      "rate_limited",
      "Cannot connect: too many connection attempts from this address",
      { "retry-after": String(ipWait) },
    );
  }
  const token = tokenFromRequest(request, ctx.url);
  if (token === null) {
    return refuse(
      401,
      "unauthorized",
      "Cannot connect: no token (use ?token= or Authorization: Bearer)",
    );
  }
  const verified = await deps.verifier.verify(token);
  if (!verified.ok) return refuse(401, "unauthorized", `Cannot connect: ${verified.reason}`);
  const principal = verified.principal;
  if (!mayJoinRoom(principal, roomId)) {
    return refuse(403, "forbidden", `Cannot join room "${roomId}": the token does not grant it`);
  }
  const userWait = deps.joins.attempt(`user:${principal.id}`);
  if (userWait > 0) {
    return refuse(
      429,
      "rate_limited",
      "Cannot connect: too many connection attempts by this user",
      { "retry-after": String(userWait) },
    );
  }
  const resume = parseResume(ctx.url);
  if (resume === "invalid") {
    return refuse(400, "invalid_since", "Cannot resume: since must be a whole number ≥ 0");
  }
  if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
    return refuse(426, "upgrade_required", "Cannot connect: this endpoint speaks WebSocket only", {
      upgrade: "websocket",
    });
  }
  const slot = deps.limits.acquire(principal.id, ip);
  if (!slot.ok) return refuse(slot.status, slot.code, slot.message);
  const id = crypto.randomUUID();
  const room = deps.registry.open(roomId);
  let admitted;
  try {
    admitted = await room.admit(principal, id);
  } catch (error) {
    slot.release();
    deps.log.error("Cannot admit to room {room}: {error}", { room: roomId, error: String(error) });
    return refuse(503, "unavailable", `Cannot join room "${roomId}": the room is unavailable`);
  }
  if (!admitted.ok) {
    slot.release();
    return refuse(admitted.status, admitted.code, admitted.message);
  }
  try {
    return upgradeWebSocket(request, config.idleTimeoutS, (socket) =>
      createSession({
        id,
        socket,
        principal,
        room,
        ip,
        resume,
        rate: admitted.rate,
        userBuckets: deps.userBuckets,
        expiries: deps.expiries,
        maxQueueBytes: config.maxQueueBytes,
        inbound: shared.inbound,
        onSlowConsumer: shared.onSlowConsumer,
        metrics,
        log: deps.log,
        logDebug: config.logLevel === "debug",
        release: slot.release,
      }));
  } catch (error) {
    room.leave(id);
    slot.release();
    return refuse(400, "bad_upgrade", `Cannot upgrade: ${(error as Error).message}`);
  }
}

/**
 * `Retry-After` seconds for a 429/503 refusal that names no time of its own: a draining server
 * or a room that could not be loaded may be back at once; a connection limit frees up only
 * when others leave. Without it a reconnect storm has nothing to pace itself by.
 */
function retryAfterFor(code: string): string {
  return code === "shutting_down" || code === "unavailable" ? "1" : "5";
}

function parseResume(url: URL): ResumeRequest | undefined | "invalid" {
  const since = url.searchParams.get("since");
  if (since === null || since === "") return undefined;
  if (!/^\d{1,15}$/.test(since)) return "invalid";
  const epoch = url.searchParams.get("epoch") || undefined;
  return { since: Number(since), epoch };
}
