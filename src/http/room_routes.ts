/**
 * The rooms API: list, create, read, change and delete rooms, and see who is in one.
 *
 * | method and path               | who                                                     |
 * |-------------------------------|---------------------------------------------------------|
 * | `GET /api/rooms`              | admin                                                   |
 * | `POST /api/rooms`             | admin, or any user when `ROOMD_USERS_CAN_CREATE_ROOMS`  |
 * | `GET /api/rooms/:id`          | admin, or a user who may join the room                  |
 * | `PATCH /api/rooms/:id`        | admin, or the room's owner (its API creator)            |
 * | `DELETE /api/rooms/:id`       | admin, or the room's owner (its API creator)            |
 * | `GET /api/rooms/:id/members`  | admin, or a user who may join the room                  |
 *
 * A non-admin's token must also grant the room (its `rooms` claim) for every route on one room.
 * Changes and deletions go through the room's actor, so they reach connected users at once.
 *
 * @module
 */
import type { Principal } from "../auth/principal.ts";
import { mayJoinRoom } from "../auth/rooms_claim.ts";
import { mayEnter, mayManage } from "../room/access.ts";
import { newRoomRecord } from "../room/new_room.ts";
import { type MemberDetailsResult, type RoomSnapshot, RoomStoppedError } from "../room/room.ts";
import type { RoomRecord } from "../store/types.ts";
import { authenticate } from "./authenticate.ts";
import type { HttpDeps } from "./deps.ts";
import { json, jsonError, readJsonBody } from "./json.ts";
import {
  parseCreateRoom,
  parseListMembers,
  parseListRooms,
  parsePatchRoom,
} from "./room_bodies.ts";
import { parseRoomId, ROOM_ID_PATTERN } from "./room_id.ts";
import type { RequestContext, Route } from "./router.ts";

/**
 * A room as the API shows it: its record without the internal `epoch` (the history generation
 * marker clients get from the welcome), plus live counts on this node.
 */
export interface RoomView extends Omit<RoomRecord, "epoch"> {
  /** Distinct users connected now. */
  members_online: number;
  /** Open connections now. */
  connections: number;
}

/**
 * The API view of a room snapshot.
 *
 * @param snapshot Record and live counts.
 * @returns The JSON-ready view.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { newRoomRecord } from "../room/new_room.ts";
 * import { roomView } from "./room_routes.ts";
 * const view = roomView({ room: newRoomRecord("lobby", "api", "7", 0), members: 1, connections: 2 });
 * assert.ok(view.connections === 2 && !("epoch" in view));
 * ```
 */
export function roomView(snapshot: RoomSnapshot): RoomView {
  const { epoch: _epoch, ...room } = snapshot.room;
  return { ...room, members_online: snapshot.members, connections: snapshot.connections };
}

/**
 * The routes of the rooms API.
 *
 * @param deps Shared parts.
 * @returns The routes.
 */
export function roomRoutes(deps: HttpDeps): Route[] {
  return [
    { method: "GET", path: "/api/rooms", handler: (req, ctx) => listRooms(deps, req, ctx) },
    { method: "POST", path: "/api/rooms", handler: (req, ctx) => createRoom(deps, req, ctx) },
    { method: "GET", path: "/api/rooms/:id", handler: (req, ctx) => readRoom(deps, req, ctx) },
    { method: "PATCH", path: "/api/rooms/:id", handler: (req, ctx) => changeRoom(deps, req, ctx) },
    {
      method: "DELETE",
      path: "/api/rooms/:id",
      handler: (req, ctx) => deleteRoom(deps, req, ctx),
    },
    {
      method: "GET",
      path: "/api/rooms/:id/members",
      handler: (req, ctx) => listMembers(deps, req, ctx),
    },
  ];
}

async function listRooms(deps: HttpDeps, request: Request, ctx: RequestContext) {
  const auth = await authenticate(deps.verifier, request, ctx.url, true);
  if (!auth.ok) return auth.response;
  const query = parseListRooms(ctx.url.searchParams);
  if (!query.ok) return jsonError(400, "invalid_query", query.message);
  const page = await deps.store.listRooms(query.value);
  // Counted by presence, so that members on every node count.
  const rooms = await Promise.all(page.rooms.map(async (room) => {
    const count = await deps.presence.count(room.id);
    return roomView({ room, members: count.members, connections: count.connections });
  }));
  return json({ rooms, next_cursor: page.next_cursor });
}

async function createRoom(deps: HttpDeps, request: Request, ctx: RequestContext) {
  const auth = await authenticate(deps.verifier, request, ctx.url);
  if (!auth.ok) return auth.response;
  const principal = auth.principal;
  if (!principal.admin && !deps.config.usersCanCreateRooms) {
    return jsonError(403, "forbidden", "Cannot create room: admin token required");
  }
  const body = await readJsonBody(request);
  if (!body.ok) return body.response;
  const parsed = parseCreateRoom(body.value);
  if (!parsed.ok) return jsonError(400, "invalid_body", parsed.message);
  const { id, ...settings } = parsed.value;
  if (!principal.admin && !mayJoinRoom(principal, id)) return notGranted("create", id);
  const record = newRoomRecord(id, "api", principal.id, deps.config.defaultMaxClients, settings);
  // A room made through the API is empty from the start: its `ttl_s` counts from creation.
  record.empty_since = record.created_at;
  const created = await deps.registry.open(id).create(record);
  if (!created) {
    return jsonError(409, "room_exists", `Cannot create room "${id}": a room with this id exists`);
  }
  deps.log.info("Room {room} created by {user}", { room: id, user: principal.id });
  return json(roomView(created), 201, { location: `/api/rooms/${encodeURIComponent(id)}` });
}

async function readRoom(deps: HttpDeps, request: Request, ctx: RequestContext) {
  const found = await findRoom(deps, request, ctx, "read");
  if (!found.ok) return found.response;
  return json(roomView(found.snapshot));
}

async function changeRoom(deps: HttpDeps, request: Request, ctx: RequestContext) {
  const found = await findRoom(deps, request, ctx, "change");
  if (!found.ok) return found.response;
  const body = await readJsonBody(request);
  if (!body.ok) return body.response;
  const patch = parsePatchRoom(body.value);
  if (!patch.ok) return jsonError(400, "invalid_body", patch.message);
  const id = found.snapshot.room.id;
  const updated = await deps.registry.open(id).update(patch.value);
  if (!updated) return notFound("change", id);
  deps.log.info("Room {room} changed by {user}: {fields}", {
    room: id,
    user: found.principal.id,
    fields: Object.keys(patch.value).join(", "),
  });
  return json(roomView(updated));
}

async function deleteRoom(deps: HttpDeps, request: Request, ctx: RequestContext) {
  const found = await findRoom(deps, request, ctx, "delete");
  if (!found.ok) return found.response;
  const id = found.snapshot.room.id;
  if (!(await deps.registry.open(id).delete())) return notFound("delete", id);
  deps.log.info("Room {room} deleted by {user}", { room: id, user: found.principal.id });
  return new Response(null, { status: 204 });
}

async function listMembers(deps: HttpDeps, request: Request, ctx: RequestContext) {
  const found = await findRoom(deps, request, ctx, "read");
  if (!found.ok) return found.response;
  const query = parseListMembers(ctx.url.searchParams);
  if (!query.ok) return jsonError(400, "invalid_query", query.message);
  const id = found.snapshot.room.id;
  const { cursor, limit } = query.value;
  const page = await livePage(deps, id, cursor, limit);
  if (page === "no_room") return notFound("read", id);
  // A cursor outlives the room's actor only if that actor is still running.
  if (page === "bad_cursor" || (page === null && cursor !== undefined)) {
    return jsonError(
      400,
      "invalid_query",
      "Invalid query: cursor: not one of this room's cursors (start over without it)",
    );
  }
  if (page === null) return json({ members: [], count: 0, next_cursor: null });
  return json({ members: page.members, count: page.count, next_cursor: page.cursor });
}

/** A page from the room's actor, or `null` when the room is not running here (nobody present). */
async function livePage(
  deps: HttpDeps,
  id: string,
  cursor: string | undefined,
  limit: number,
): Promise<MemberDetailsResult | null> {
  const live = deps.registry.peek(id);
  if (!live) return null;
  try {
    return await live.members(cursor, limit);
  } catch (error) {
    if (error instanceof RoomStoppedError) return null;
    throw error;
  }
}

/** What a route on one room does: reading needs entry rights, the rest management rights. */
type Action = "read" | "change" | "delete";

type Found =
  | { ok: true; principal: Principal; snapshot: RoomSnapshot }
  | { ok: false; response: Response };

/**
 * Authenticates, checks the id, finds the room and checks the caller may act on it: 401, 400,
 * 403 (token does not grant the room), 404, 403 (private room, or not the creator).
 */
async function findRoom(
  deps: HttpDeps,
  request: Request,
  ctx: RequestContext,
  action: Action,
): Promise<Found> {
  const auth = await authenticate(deps.verifier, request, ctx.url);
  if (!auth.ok) return auth;
  const principal = auth.principal;
  const id = parseRoomId(ctx.params.id);
  if (id === null) {
    return refuse(
      400,
      "invalid_room",
      `Cannot ${action} room: the id must match ${ROOM_ID_PATTERN.source}`,
    );
  }
  if (!principal.admin && !mayJoinRoom(principal, id)) {
    return { ok: false, response: notGranted(action, id) };
  }
  const snapshot = await currentSnapshot(deps, id);
  if (!snapshot) return { ok: false, response: notFound(action, id) };
  if (action === "read" && !mayEnter(snapshot.room, principal)) {
    return refuse(403, "forbidden", `Cannot read room "${id}": room is private`);
  }
  if (action !== "read" && !mayManage(snapshot.room, principal)) {
    return refuse(
      403,
      "forbidden",
      `Cannot ${action} room "${id}": only its owner or an admin may`,
    );
  }
  return { ok: true, principal, snapshot };
}

/** The live actor's snapshot when the room is running here, else the stored record. */
async function currentSnapshot(deps: HttpDeps, id: string): Promise<RoomSnapshot | null> {
  const live = deps.registry.peek(id);
  if (live) {
    try {
      const snapshot = await live.snapshot();
      if (snapshot) return snapshot;
    } catch (error) {
      if (!(error instanceof RoomStoppedError)) throw error;
    }
  }
  const room = await deps.store.getRoom(id);
  return room && { room, members: 0, connections: 0 };
}

function refuse(status: number, code: string, message: string): Found {
  return { ok: false, response: jsonError(status, code, message) };
}

function notGranted(action: string, id: string): Response {
  return jsonError(403, "forbidden", `Cannot ${action} room "${id}": the token does not grant it`);
}

function notFound(action: string, id: string): Response {
  return jsonError(404, "not_found", `Cannot ${action} room "${id}": no such room`);
}
