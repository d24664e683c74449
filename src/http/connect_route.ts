/**
 * `GET /api/connect/:room_id`: the checks of `GET /ws/:room_id` without the upgrade. A browser
 * sees only a 1006 close when an upgrade is refused, so the client asks here why: the same
 * status, JSON body and `Retry-After`, or 204 when an upgrade would be accepted now.
 *
 * @module
 */
import { refuseJoin } from "../room/admission.ts";
import type { RoomRecord } from "../store/types.ts";
import type { HttpDeps } from "./deps.ts";
import type { RequestContext, Route } from "./router.ts";
import { checkConnection } from "./ws_route.ts";

/**
 * The handshake-check route.
 *
 * @param deps Shared parts.
 * @returns The route.
 */
export function connectCheckRoute(deps: HttpDeps): Route {
  return {
    method: "GET",
    path: "/api/connect/:room_id",
    handler: (request, ctx) => checkHandshake(deps, request, ctx),
  };
}

async function checkHandshake(
  deps: HttpDeps,
  request: Request,
  ctx: RequestContext,
): Promise<Response> {
  const checked = await checkConnection(deps, request, ctx, "check");
  if (checked instanceof Response) return checked;
  const { ip, principal, roomId, refuse } = checked;
  const slot = deps.limits.check(principal.id, ip);
  if (slot !== null) return refuse(slot.status, slot.code, slot.message);
  let room: RoomRecord | null;
  let taken = 0;
  try {
    // A live room counts its connections; a room not loaded is read from the store and not
    // loaded by a dry run (one that does not exist would be created by the upgrade).
    const live = deps.registry.peek(roomId);
    const snapshot = live && !live.stopped ? await live.snapshot() : null;
    room = snapshot?.room ?? await deps.store.getRoom(roomId);
    taken = snapshot?.connections ?? 0;
  } catch (error) {
    deps.log.warning("Cannot check room {room}: {error}", { room: roomId, error: String(error) });
    return refuse(503, "unavailable", `Cannot join room "${roomId}": the room is unavailable`);
  }
  const refusal = room === null ? null : refuseJoin(room, principal, taken);
  if (refusal !== null) return refuse(refusal.status, refusal.code, refusal.message);
  return new Response(null, { status: 204 });
}
