/**
 * What the rooms API accepts: zod schemas of the request bodies and of the list query, and the
 * parsing that turns a bad input into one message naming the field.
 *
 * @module
 */
import { z } from "zod";
import { MAX_NAME_LENGTH, MAX_SUBJECT_LENGTH } from "../auth/principal.ts";
import { PRESENCE_MODES, type PresenceMode, type RoomPatch } from "../store/types.ts";
import { utf8Length } from "../protocol/utf8_length.ts";
import { ROOM_ID_PATTERN } from "./room_id.ts";

/** Largest `metadata`, in UTF-8 bytes of its JSON. */
export const MAX_METADATA_BYTES = 8 * 1024;

/** Most user ids in a room's `members`. */
export const MAX_MEMBERS = 10_000;

/** Largest page of `GET /api/rooms`. */
export const MAX_PAGE_SIZE = 1000;

/** Page size of `GET /api/rooms` without `?limit=`. */
export const DEFAULT_PAGE_SIZE = 50;

const metadata = z.record(z.string(), z.unknown()).refine(
  (value) => utf8Length(JSON.stringify(value)) <= MAX_METADATA_BYTES,
  { message: `Too big: expected at most ${MAX_METADATA_BYTES} bytes of JSON` },
);

/** The settings a room may be created or changed with. */
const settings = {
  name: z.string().min(1).max(MAX_NAME_LENGTH),
  max_clients: z.int().min(0).max(1_000_000),
  is_private: z.boolean(),
  members: z.array(z.string().min(1).max(MAX_SUBJECT_LENGTH)).max(MAX_MEMBERS)
    .transform((ids) => [...new Set(ids)]),
  metadata,
  ttl_s: z.int().min(1).max(2_147_483_647).nullable(),
  msg_rate: z.number().positive().max(1_000_000).nullable(),
  msg_burst: z.int().min(1).max(1_000_000).nullable(),
  presence: z.enum(PRESENCE_MODES as [PresenceMode, ...PresenceMode[]]),
};

/** Body of `PATCH /api/rooms/:id`: the settings to change; unknown fields are refused. */
export const patchRoomBody = z.strictObject(settings).partial();

/** Body of `POST /api/rooms`: an id and any settings; unknown fields are refused. */
export const createRoomBody = patchRoomBody.extend({
  id: z.string().regex(ROOM_ID_PATTERN, {
    message: `Invalid room id: must match ${ROOM_ID_PATTERN.source}`,
  }),
});

/** A valid `POST /api/rooms` body. */
export type CreateRoomBody = z.output<typeof createRoomBody>;

const pageSize = z.string().regex(/^\d{1,4}$/, {
  message: "Invalid input: expected a whole number",
})
  .transform(Number).pipe(z.int().min(1).max(MAX_PAGE_SIZE));

/** Query of `GET /api/rooms` (other parameters, such as `token`, are ignored). */
export const listRoomsQuery = z.object({
  prefix: z.string().max(64).optional(),
  limit: pageSize.default(DEFAULT_PAGE_SIZE),
  cursor: z.string().min(1).max(64).optional(),
});

/** A valid `GET /api/rooms` query. */
export type ListRoomsQuery = z.output<typeof listRoomsQuery>;

/** Largest page of `GET /api/rooms/:id/members`. */
export const MAX_MEMBERS_PAGE = 1000;

/** Page size of `GET /api/rooms/:id/members` without `?limit=`. */
export const DEFAULT_MEMBERS_PAGE = 100;

/** Query of `GET /api/rooms/:id/members` (other parameters, such as `token`, are ignored). */
export const listMembersQuery = z.object({
  limit: z.string().regex(/^\d{1,4}$/, { message: "Invalid input: expected a whole number" })
    .transform(Number).pipe(z.int().min(1).max(MAX_MEMBERS_PAGE)).default(DEFAULT_MEMBERS_PAGE),
  cursor: z.string().min(1).max(64).optional(),
});

/** A valid `GET /api/rooms/:id/members` query. */
export type ListMembersQuery = z.output<typeof listMembersQuery>;

/** A parsed input, or one line saying what is wrong with it. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

/**
 * Validates a create body.
 *
 * @param body The parsed JSON.
 * @returns The body, or a message such as `Invalid body: max_clients: Too small: …`.
 *
 * @example A room with a capacity
 * ```ts
 * import assert from "assert";
 * import { parseCreateRoom } from "./room_bodies.ts";
 * const parsed = parseCreateRoom({ id: "lobby", max_clients: 10 });
 * assert.ok(parsed.ok && parsed.value.max_clients === 10);
 * const bad = parseCreateRoom({ id: "lobby", max_clients: -1 });
 * assert.ok(!bad.ok && bad.message.startsWith("Invalid body: max_clients: Too small"));
 * ```
 */
export function parseCreateRoom(body: unknown): Parsed<CreateRoomBody> {
  return parseWith(createRoomBody, body, "Invalid body");
}

/**
 * Validates a patch body.
 *
 * @param body The parsed JSON.
 * @returns The patch, or a message naming the first bad field.
 *
 * @example Unknown fields are refused
 * ```ts
 * import assert from "assert";
 * import { parsePatchRoom } from "./room_bodies.ts";
 * const bad = parsePatchRoom({ id: "other" });
 * assert.ok(!bad.ok && bad.message === 'Invalid body: Unrecognized key: "id"');
 * ```
 */
export function parsePatchRoom(body: unknown): Parsed<RoomPatch> {
  return parseWith(patchRoomBody, body, "Invalid body");
}

/**
 * Validates the query of `GET /api/rooms`.
 *
 * @param params The URL's search parameters.
 * @returns Prefix, page size (default {@linkcode DEFAULT_PAGE_SIZE}) and cursor, or a message.
 *
 * @example Defaults
 * ```ts
 * import assert from "assert";
 * import { parseListRooms } from "./room_bodies.ts";
 * const parsed = parseListRooms(new URLSearchParams("prefix=team-"));
 * assert.ok(parsed.ok && parsed.value.limit === 50 && parsed.value.prefix === "team-");
 * ```
 */
export function parseListRooms(params: URLSearchParams): Parsed<ListRoomsQuery> {
  return parseWith(listRoomsQuery, Object.fromEntries(params), "Invalid query");
}

/**
 * Validates the query of `GET /api/rooms/:id/members`.
 *
 * @param params The URL's search parameters.
 * @returns Page size (default {@linkcode DEFAULT_MEMBERS_PAGE}) and cursor, or a message.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { parseListMembers } from "./room_bodies.ts";
 * const parsed = parseListMembers(new URLSearchParams("limit=2"));
 * assert.ok(parsed.ok && parsed.value.limit === 2 && parsed.value.cursor === undefined);
 * assert.ok(!parseListMembers(new URLSearchParams("limit=0")).ok);
 * ```
 */
export function parseListMembers(params: URLSearchParams): Parsed<ListMembersQuery> {
  return parseWith(listMembersQuery, Object.fromEntries(params), "Invalid query");
}

function parseWith<T>(schema: z.ZodType<T>, input: unknown, what: string): Parsed<T> {
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, value: result.data };
  const issue = result.error.issues[0];
  const path = issue.path.map(String).join(".");
  return { ok: false, message: `${what}: ${path ? `${path}: ` : ""}${issue.message}` };
}
