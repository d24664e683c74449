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
import { jsonError } from "./json.ts";
import type { RequestContext, Route } from "./router.ts";
import { checkHandshake, type Refusal, userSlotRefusal } from "./ws_checks.ts";

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
    handler: (request, ctx) => dryRun(deps, request, ctx),
  };
}

/** A refusal of the dry run: answered like the upgrade's, but neither counted nor logged. */
function refuse({ status, code, message, headers }: Refusal): Response {
  return jsonError(status, code, message, headers);
}

async function dryRun(
  deps: HttpDeps,
  request: Request,
  ctx: RequestContext,
): Promise<Response> {
  const checked = await checkHandshake(deps, request, ctx, "check");
  if (!checked.ok) return refuse(checked.refusal);
  const { ip, principal, roomId } = checked.handshake;
  const slot = deps.limits.check(principal.id, ip);
  if (slot !== null) return refuse(slot);
  const userSlot = await deps.userLimits.check(principal.id);
  if (!userSlot.ok) return refuse(userSlotRefusal(userSlot));
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
    return refuse({
      status: 503,
      code: "unavailable",
      message: `Cannot join room "${roomId}": the room is unavailable`,
    });
  }
  const refusal = room === null ? null : refuseJoin(room, principal, taken);
  if (refusal !== null) return refuse(refusal);
  return new Response(null, { status: 204 });
}
