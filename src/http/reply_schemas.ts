/**
 * zod schemas of what the HTTP API answers, for the OpenAPI document and the tests that check
 * real answers against it. The routes build their answers themselves; these describe them.
 *
 * @module
 */
import { z } from "zod";

/** Every error answer: `{"error":{"code","message"}}`. */
export const errorBody = z.strictObject({
  error: z.strictObject({
    code: z.string().describe("Machine-readable code, e.g. invalid_body, forbidden, not_found"),
    message: z.string().describe('What went wrong, for people ("Cannot X: Y")'),
  }),
});

/** A room as the API shows it: its settings and live counts on this node. */
export const roomView = z.strictObject({
  id: z.string(),
  name: z.string(),
  created_at: z.iso.datetime(),
  created_by: z.string().nullable(),
  max_clients: z.int().min(0).describe("0 means no limit"),
  is_private: z.boolean(),
  members: z.array(z.string()).describe("User ids a private room admits"),
  metadata: z.record(z.string(), z.unknown()),
  ttl_s: z.int().nullable(),
  origin: z.enum(["api", "auto"]),
  msg_rate: z.number().nullable(),
  msg_burst: z.int().nullable(),
  presence: z.enum(["full", "count", "off"]).optional(),
  empty_since: z.iso.datetime().nullable(),
  members_online: z.int().min(0),
  connections: z.int().min(0),
});

/** `GET /api/rooms`. */
export const roomPage = z.strictObject({
  rooms: z.array(roomView),
  next_cursor: z.string().nullable(),
});

/** `GET /api/rooms/:id/members`. */
export const memberPage = z.strictObject({
  members: z.array(z.strictObject({
    id: z.string(),
    name: z.string(),
    connections: z.int().min(1),
    joined_at: z.iso.datetime(),
  })),
  count: z.int().min(0).optional(),
  next_cursor: z.string().nullable().optional(),
});

/** `POST /api/rooms/:id/messages`. */
export const publishReply = z.strictObject({
  id: z.int().min(1).nullable().describe("null for a type that is not persisted"),
  timestamp: z.iso.datetime(),
});

const windowRates = z.strictObject({ "1m": z.number(), "5m": z.number() });

/** `GET /api/stats`. */
export const statsBody = z.strictObject({
  connections: z.int().min(0),
  rooms: z.int().min(0),
  messages_received: z.int().min(0),
  messages_delivered: z.int().min(0),
  errors: z.int().min(0),
  rate_limited: z.int().min(0),
  slow_consumer_disconnects: z.int().min(0),
  rates: z.strictObject({ messages_per_s: windowRates, errors_per_s: windowRates }),
  busiest_rooms: z.array(z.strictObject({ id: z.string(), messages_per_s: z.number() })),
  uptime_s: z.number(),
  memory: z.strictObject({ rss_bytes: z.int(), heap_used_bytes: z.int() }),
});

/** `GET /healthz` and a ready `GET /readyz`. */
export const healthBody = z.object({ status: z.string() });
