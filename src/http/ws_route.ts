/**
 * `GET /ws/:room_id`: every check happens before the upgrade (those before the room in
 * `ws_checks.ts`, then the upgrade header, connection limits and the room's admission), and a
 * refusal is an HTTP status with a JSON body.
 *
 * @module
 */
import type { InboundDeps } from "../session/inbound.ts";
import { Session, type SessionShared } from "../session/session.ts";
import { upgradeWebSocket } from "../ws/upgrade.ts";
import { clientIp } from "./client_ip.ts";
import type { HttpDeps } from "./deps.ts";
import { jsonError } from "./json.ts";
import type { RequestContext, Route } from "./router.ts";
import { checkHandshake, type Refusal, userSlotRefusal } from "./ws_checks.ts";

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
    onTooLarge: (connection) => {
      deps.penalties.strike(`ip:${connection.ip}`);
      deps.penalties.strike(`user:${connection.principal.id}`);
    },
    verifier: deps.verifier,
    userBuckets: deps.userBuckets,
  };
  const { config } = deps;
  const shared: SessionShared = {
    maxQueueBytes: config.maxQueueBytes,
    inbound,
    metrics: deps.metrics,
    log: deps.log,
    idleTimeoutS: config.idleTimeoutS,
    logDebug: config.logLevel === "debug",
    expiries: deps.expiries,
    release: (connection) =>
      releaseSlots(deps, connection.principal.id, connection.ip, connection.id),
    onSlowConsumer: () => deps.metrics.slowConsumerDisconnect(),
  };
  return {
    method: "GET",
    path: "/ws/:room_id",
    handler: (request, ctx) => connect(deps, shared, request, ctx),
  };
}

async function connect(
  deps: HttpDeps,
  shared: SessionShared,
  request: Request,
  ctx: RequestContext,
): Promise<Response> {
  const { config, metrics } = deps;
  const refuse = ({ status, code, message, headers = {} }: Refusal, ip: string) => {
    metrics.connectionRejected(code);
    if ((status === 429 || status === 503) && headers["retry-after"] === undefined) {
      headers = { ...headers, "retry-after": retryAfterFor(code) };
    }
    deps.log.with({ ip })[status >= 500 ? "warning" : "info"](
      "Refused connection: {status} {code}: {reason}",
      { status, code, reason: message },
    );
    return jsonError(status, code, message, headers);
  };
  const checked = await checkHandshake(deps, request, ctx);
  if (!checked.ok) {
    return refuse(checked.refusal, clientIp(request, ctx.remoteAddr, config.trustProxy));
  }
  const { roomId, principal, ip, resume, protocol } = checked.handshake;
  if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
    return refuse({
      status: 426,
      code: "upgrade_required",
      message: "Cannot connect: this endpoint speaks WebSocket only",
      headers: { upgrade: "websocket" },
    }, ip);
  }
  const slot = deps.limits.acquire(principal.id, ip);
  if (!slot.ok) return refuse(slot, ip);
  const id = crypto.randomUUID();
  const userSlot = await deps.userLimits.acquire(principal.id, id);
  if (!userSlot.ok) {
    deps.limits.release(principal.id, ip);
    return refuse(userSlotRefusal(userSlot), ip);
  }
  const release = () => releaseSlots(deps, principal.id, ip, id);
  const room = deps.registry.open(roomId);
  let admitted;
  try {
    admitted = await room.admit(principal, id);
  } catch (error) {
    release();
    deps.log.error("Cannot admit to room {room}: {error}", { room: roomId, error: String(error) });
    return refuse({
      status: 503,
      code: "unavailable",
      message: `Cannot join room "${roomId}": the room is unavailable`,
    }, ip);
  }
  if (!admitted.ok) {
    release();
    return refuse(admitted, ip);
  }
  try {
    return upgradeWebSocket(
      request,
      config.idleTimeoutS,
      (socket) => new Session({ id, socket, principal, room, ip, resume }, shared),
      protocol,
    );
  } catch (error) {
    room.leave(id);
    release();
    return refuse({
      status: 400,
      code: "bad_upgrade",
      message: `Cannot upgrade: ${(error as Error).message}`,
    }, ip);
  }
}

/**
 * Gives back a connection's slots: this node's (in total and per address) and the user's.
 *
 * @param deps The limits.
 * @param userId The user.
 * @param ip The client address.
 * @param connectionId The connection.
 */
function releaseSlots(
  deps: Pick<HttpDeps, "limits" | "userLimits">,
  userId: string,
  ip: string,
  connectionId: string,
): void {
  deps.limits.release(userId, ip);
  void deps.userLimits.release(userId, connectionId);
}

/**
 * `Retry-After` seconds for a 429/503 refusal that names no time of its own: a draining server
 * or a room that could not be loaded may be back at once; a connection limit frees up only
 * when others leave. Without it a reconnect storm has nothing to pace itself by.
 */
function retryAfterFor(code: string): string {
  return code === "shutting_down" || code === "unavailable" ? "1" : "5";
}
