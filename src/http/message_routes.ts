/**
 * `GET /api/rooms/:id/messages` (history, for admins and users who may join; NDJSON export
 * with `?format=ndjson`) and
 * `POST /api/rooms/:id/messages` (publish as the server, admins only, with `Idempotency-Key`).
 *
 * @module
 */
import { z } from "zod";
import { mayJoinRoom } from "../auth/rooms_claim.ts";
import { utf8Length } from "../protocol/utf8_length.ts";
import { DEFAULT_HISTORY_LIMIT, MAX_HISTORY_LIMIT } from "../protocol/schemas.ts";
import { mayEnter } from "../room/access.ts";
import { type DedupeKey, dedupeKeyOf, type HistoryQuery } from "../store/types.ts";
import { authenticate } from "./authenticate.ts";
import type { HttpDeps } from "./deps.ts";
import { exportHistory, wantsNdjson } from "./history_export.ts";
import {
  IDEMPOTENCY_TTL_MS,
  IdempotencyCache,
  isValidIdempotencyKey,
  type StoredResponse,
} from "./idempotency.ts";
import { json, jsonError, readJsonBody } from "./json.ts";
import { parseRoomId } from "./room_id.ts";
import type { RequestContext, Route } from "./router.ts";

/** Body of `POST /api/rooms/:id/messages`: a type (`system` or declared) and its data. */
export const publishBody = z.object({
  type: z.string().min(1).max(32),
  data: z.unknown(),
}).strict();

type ParsedQuery = { ok: true; query: HistoryQuery } | { ok: false; message: string };

/**
 * The message routes. Each call makes its own idempotency table, so build them once per server.
 *
 * @param deps Shared parts.
 * @param idempotency Remembered answers of `POST` (a fresh table by default).
 * @returns The routes.
 */
export function messageRoutes(
  deps: HttpDeps,
  idempotency: IdempotencyCache = new IdempotencyCache(),
): Route[] {
  const path = "/api/rooms/:id/messages";
  return [
    { method: "GET", path, handler: (request, ctx) => readHistory(deps, request, ctx) },
    {
      method: "POST",
      path,
      handler: (request, ctx) => publish(deps, idempotency, request, ctx),
    },
  ];
}

async function readHistory(
  deps: HttpDeps,
  request: Request,
  ctx: RequestContext,
): Promise<Response> {
  const auth = await authenticate(deps.verifier, request, ctx.url);
  if (!auth.ok) return auth.response;
  const principal = auth.principal;
  const roomId = parseRoomId(ctx.params.id);
  if (roomId === null) return invalidRoom("read history");
  const parsed = parseHistoryQuery(ctx.url.searchParams);
  if (!parsed.ok) return jsonError(400, "invalid_query", `Invalid query: ${parsed.message}`);
  if (!principal.admin && !mayJoinRoom(principal, roomId)) return forbidden(roomId);
  const room = deps.registry.open(roomId);
  const snapshot = await room.snapshot();
  if (!snapshot) return notFound("read history of", roomId);
  if (!mayEnter(snapshot.room, principal)) return forbidden(roomId);
  if (wantsNdjson(request, ctx.url)) {
    return await exportHistory((query) => room.readHistory(query), parsed.query.since ?? 0);
  }
  return json(await room.readHistory(parsed.query));
}

/**
 * Reads `since`, `before` and `limit` from a query string; an empty value counts as absent.
 *
 * @param params The query.
 * @returns The history query, or what is wrong with it.
 */
function parseHistoryQuery(params: URLSearchParams): ParsedQuery {
  const since = wholeNumber(params, "since", 0);
  if (since === "invalid") return { ok: false, message: "since must be a whole number ≥ 0" };
  const before = wholeNumber(params, "before", 1);
  if (before === "invalid") return { ok: false, message: "before must be a whole number ≥ 1" };
  const limit = wholeNumber(params, "limit", 1);
  if (limit === "invalid" || (limit !== undefined && limit > MAX_HISTORY_LIMIT)) {
    return { ok: false, message: `limit must be a whole number from 1 to ${MAX_HISTORY_LIMIT}` };
  }
  return { ok: true, query: { since, before, limit: limit ?? DEFAULT_HISTORY_LIMIT } };
}

function wholeNumber(
  params: URLSearchParams,
  name: string,
  min: number,
): number | undefined | "invalid" {
  const raw = params.get(name);
  if (raw === null || raw === "") return undefined;
  if (!/^\d{1,15}$/.test(raw)) return "invalid";
  const value = Number(raw);
  return value >= min ? value : "invalid";
}

async function publish(
  deps: HttpDeps,
  idempotency: IdempotencyCache,
  request: Request,
  ctx: RequestContext,
): Promise<Response> {
  const auth = await authenticate(deps.verifier, request, ctx.url, true);
  if (!auth.ok) return auth.response;
  const roomId = parseRoomId(ctx.params.id);
  if (roomId === null) return invalidRoom("publish");
  const key = request.headers.get("idempotency-key");
  if (key !== null && !isValidIdempotencyKey(key)) {
    return jsonError(
      400,
      "invalid_idempotency_key",
      "Invalid Idempotency-Key: use 1 to 255 visible ASCII characters",
    );
  }
  const body = await readJsonBody(request);
  if (!body.ok) return body.response;
  const checked = checkPublish(deps, body.value);
  if (!checked.ok) return toResponse(checked.response);
  const { type, data, persist } = checked;
  if (key === null) return toResponse(await publishAsServer(deps, roomId, type, data, persist));
  const fingerprint = await digest(JSON.stringify([type, data]));
  // Stored with the message, in its transaction: a retry after a restart publishes nothing.
  const dedupe: DedupeKey = {
    key: dedupeKeyOf("http", key),
    fingerprint,
    expires_at: Date.now() + IDEMPOTENCY_TTL_MS,
  };
  const execute = () => publishAsServer(deps, roomId, type, data, persist, dedupe);
  const outcome = await idempotency.run(roomId, key, fingerprint, execute);
  switch (outcome.kind) {
    case "executed":
      return toResponse(outcome.response);
    case "replayed":
      return toResponse(outcome.response, { "idempotent-replayed": "true" });
    case "mismatch":
      return toResponse(keyReused(roomId, key));
    case "full":
      return jsonError(
        503,
        "unavailable",
        "Cannot publish: too many requests with an Idempotency-Key are in progress",
        { "retry-after": "1" },
      );
  }
}

type CheckedPublish =
  | { ok: true; type: string; data: unknown; persist: boolean }
  | { ok: false; response: StoredResponse };

/**
 * Validates a publish body: `system` with an object as `data`, or a declared type whose JSON
 * Schema and size limit `data` meets.
 */
function checkPublish(deps: HttpDeps, value: unknown): CheckedPublish {
  const parsed = publishBody.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue.path.map(String).join(".");
    return refuse(400, "invalid_message", `Invalid message: ${path || "body"}: ${issue.message}`);
  }
  const { type, data } = parsed.data;
  if (type === "system") {
    if (typeof data !== "object" || data === null || Array.isArray(data)) {
      return refuse(400, "invalid_message", 'Invalid "system" message: data: must be an object');
    }
    const size = utf8Length(JSON.stringify(data));
    if (size > deps.config.maxMessageBytes) {
      return refuse(
        413,
        "message_too_large",
        `Invalid "system" message: data: ${size} bytes is over the ` +
          `${deps.config.maxMessageBytes}-byte limit`,
      );
    }
    return { ok: true, type, data, persist: true };
  }
  const spec = Object.hasOwn(deps.config.customTypes, type) ? deps.types.get(type) : undefined;
  if (!spec) {
    return refuse(
      400,
      "unknown_type",
      `Cannot publish "${type}": it is neither "system" nor a declared type`,
    );
  }
  const checked = spec.validate(data);
  if (!checked.ok) {
    return refuse(400, "invalid_message", `Invalid "${type}" message: ${checked.error}`);
  }
  return { ok: true, type, data: checked.data, persist: spec.persist };
}

/**
 * Publishes through the room and waits until the message is stored and delivered. With a
 * stored key, a repeat answers the original's id and time, marked as replayed.
 */
async function publishAsServer(
  deps: HttpDeps,
  roomId: string,
  type: string,
  data: unknown,
  persist: boolean,
  dedupe?: DedupeKey,
): Promise<StoredResponse> {
  const receipt = await deps.registry.open(roomId).publishAsServer(type, data, persist, dedupe);
  if (!receipt) {
    return {
      status: 404,
      body: error("not_found", `Cannot publish to room "${roomId}": room does not exist`),
    };
  }
  const outcome = await receipt.outcome;
  if (!outcome.ok && outcome.reason === "conflict") return keyReused(roomId, dedupe!.key);
  if (!outcome.ok) {
    deps.metrics.error("unavailable");
    return {
      status: 503,
      body: error(
        "unavailable",
        `Cannot publish to room "${roomId}": storage is unavailable; retry with the same Idempotency-Key`,
      ),
      headers: { "retry-after": "1" },
    };
  }
  const body = { id: outcome.id ?? null, timestamp: outcome.timestamp };
  if (outcome.replayed) {
    return { status: 201, body, headers: { "idempotent-replayed": "true" } };
  }
  deps.log.info("Published {type} message {id} to room {room} as the server", {
    type,
    id: body.id,
    room: roomId,
  });
  return { status: 201, body };
}

function keyReused(roomId: string, key: string): StoredResponse {
  const shown = key.startsWith("http:") ? key.slice("http:".length) : key;
  return {
    status: 422,
    body: error(
      "idempotency_key_reused",
      `Cannot publish to room "${roomId}": Idempotency-Key "${shown}" was used for another request`,
    ),
  };
}

function refuse(status: number, code: string, message: string): CheckedPublish {
  return { ok: false, response: { status, body: error(code, message) } };
}

function error(code: string, message: string): { error: { code: string; message: string } } {
  return { error: { code, message } };
}

function toResponse(response: StoredResponse, headers: Record<string, string> = {}): Response {
  return json(response.body, response.status, { ...response.headers, ...headers });
}

async function digest(text: string): Promise<string> {
  const hash = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(hash), (b) => b.toString(16).padStart(2, "0")).join("");
}

function invalidRoom(action: string): Response {
  return jsonError(
    400,
    "invalid_room",
    `Cannot ${action}: room id must match ^[A-Za-z0-9._:-]{1,64}$`,
  );
}

function notFound(action: string, roomId: string): Response {
  return jsonError(404, "not_found", `Cannot ${action} room "${roomId}": room does not exist`);
}

function forbidden(roomId: string): Response {
  return jsonError(
    403,
    "forbidden",
    `Cannot read history of room "${roomId}": the token does not grant it`,
  );
}
