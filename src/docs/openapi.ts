/**
 * The OpenAPI 3.1 document of roomd's HTTP API, with bodies from the zod schemas the routes
 * validate with and answers from `http/reply_schemas.ts`.
 *
 * @module
 */
import type { z } from "zod";
import type { Config } from "../config.ts";
import { devTokenBody, devTokenReply } from "../http/dev_token_route.ts";
import { publishBody } from "../http/message_routes.ts";
import {
  errorBody,
  healthBody,
  memberPage,
  publishReply,
  roomPage,
  roomView,
  statsBody,
} from "../http/reply_schemas.ts";
import { createRoomBody, patchRoomBody } from "../http/room_bodies.ts";
import { historyPage, storedMessage } from "../protocol/outbound_schemas.ts";
import { PROTOCOL_VERSION } from "./asyncapi.ts";
import { type JsonSchema, jsonSchemaOf, SCHEMA_DIALECT } from "./json_schema.ts";

type Operation = Record<string, unknown>;

const ERROR = { $ref: "#/components/schemas/Error" };
const ADMIN = [{ bearer: [] }];
const roomIdParam = (name: string) => ({
  name,
  in: "path",
  required: true,
  schema: { type: "string", pattern: "^[A-Za-z0-9._:-]{1,64}$" },
});
const queryParam = (name: string, schema: JsonSchema, description: string) => ({
  name,
  in: "query",
  required: false,
  schema,
  description,
});

function reply(description: string, schema?: JsonSchema, type = "application/json") {
  return schema ? { description, content: { [type]: { schema } } } : { description };
}

function errors(...statuses: number[]): Record<string, unknown> {
  return Object.fromEntries(statuses.map((s) => [String(s), reply(`Refused (${s})`, ERROR)]));
}

function op(summary: string, fields: Operation): Operation {
  return { summary, ...fields };
}

function body(schema: JsonSchema): Operation {
  return { required: true, content: { "application/json": { schema } } };
}

/**
 * Builds the OpenAPI document.
 *
 * @param config The configuration: declared types (publishable through the API) and whether
 *   dev mode adds `POST /api/dev/token`.
 * @returns The document, ready for `JSON.stringify`.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { parseConfig } from "../config.ts";
 * import { buildOpenApi } from "./openapi.ts";
 * const doc = buildOpenApi(parseConfig({ ROOMD_DEV: "true" }));
 * assert.ok("/api/dev/token" in (doc.paths as Record<string, unknown>));
 * ```
 */
export function buildOpenApi(config: Config): Record<string, unknown> {
  const schema = (zod: z.ZodType, io: "input" | "output") => jsonSchemaOf(zod, io);
  const publish = schema(publishBody, "input");
  const declared = Object.entries(config.customTypes).map(([type, spec]) => ({
    ...publish,
    properties: { type: { const: type }, data: spec.schema },
  }));
  const system = {
    ...publish,
    properties: { type: { const: "system" }, data: { type: "object" } },
  };
  const paths: Record<string, Record<string, Operation>> = {
    "/healthz": {
      get: op("Liveness", { responses: { 200: reply("Alive", schema(healthBody, "output")) } }),
    },
    "/readyz": {
      get: op("Readiness", {
        responses: {
          200: reply("Ready", schema(healthBody, "output")),
          503: reply("Store unreachable or draining", schema(healthBody, "output")),
        },
      }),
    },
    "/metrics": {
      get: op("Prometheus metrics (Bearer ROOMD_METRICS_TOKEN when set)", {
        responses: {
          200: reply("Text exposition format", { type: "string" }, "text/plain"),
          ...errors(401),
        },
      }),
    },
    "/ws/{room_id}": {
      get: op("WebSocket upgrade (see the AsyncAPI document); refusals are HTTP statuses", {
        parameters: [
          roomIdParam("room_id"),
          queryParam("token", { type: "string" }, "JWT"),
          queryParam("since", { type: "integer", minimum: 0 }, "Resume after this id"),
          queryParam("epoch", { type: "string" }, "Epoch from the welcome"),
        ],
        responses: {
          101: reply("Switching protocols"),
          ...errors(400, 401, 403, 409, 426, 429, 503),
        },
      }),
    },
    "/api/connect/{room_id}": {
      get: op("Would GET /ws/{room_id} be accepted now? The same checks without the upgrade", {
        parameters: [
          roomIdParam("room_id"),
          queryParam("token", { type: "string" }, "JWT (or Authorization: Bearer)"),
        ],
        responses: {
          204: reply("An upgrade would be accepted"),
          ...errors(400, 401, 403, 409, 429, 503),
        },
      }),
    },
    "/api/rooms": {
      get: op("List rooms (admin)", {
        security: ADMIN,
        parameters: [
          queryParam("prefix", { type: "string" }, "Room id prefix"),
          queryParam("limit", { type: "integer", minimum: 1, maximum: 1000 }, "Page size (50)"),
          queryParam("cursor", { type: "string" }, "next_cursor of the previous page"),
        ],
        responses: {
          200: reply("A page of rooms", schema(roomPage, "output")),
          ...errors(400, 401, 403),
        },
      }),
      post: op("Create a room", {
        security: ADMIN,
        requestBody: body(schema(createRoomBody, "input")),
        responses: {
          201: reply("Created", schema(roomView, "output")),
          ...errors(400, 401, 403, 409, 413),
        },
      }),
    },
    "/api/rooms/{id}": {
      get: op("Read a room", {
        security: ADMIN,
        parameters: [roomIdParam("id")],
        responses: { 200: reply("The room", schema(roomView, "output")), ...errors(401, 403, 404) },
      }),
      patch: op("Change a room (users no longer admitted are closed with 4403)", {
        security: ADMIN,
        parameters: [roomIdParam("id")],
        requestBody: body(schema(patchRoomBody, "input")),
        responses: {
          200: reply("The room", schema(roomView, "output")),
          ...errors(400, 401, 403, 404),
        },
      }),
      delete: op("Delete a room and its history", {
        security: ADMIN,
        parameters: [roomIdParam("id")],
        responses: { 204: reply("Deleted"), ...errors(401, 403, 404) },
      }),
    },
    "/api/rooms/{id}/members": {
      get: op("Users connected to a room", {
        security: ADMIN,
        parameters: [roomIdParam("id")],
        responses: {
          200: reply("Members", schema(memberPage, "output")),
          ...errors(401, 403, 404),
        },
      }),
    },
    "/api/rooms/{id}/messages": {
      get: op("Read history", {
        security: ADMIN,
        parameters: [
          roomIdParam("id"),
          queryParam("since", { type: "integer", minimum: 0 }, "Messages after this id"),
          queryParam("before", { type: "integer", minimum: 1 }, "Messages before this id"),
          queryParam("limit", { type: "integer", minimum: 1, maximum: 200 }, "Page size (50)"),
          queryParam(
            "format",
            { type: "string", enum: ["json", "ndjson"] },
            "ndjson (or Accept: application/x-ndjson): every message after since, one per line",
          ),
        ],
        responses: {
          200: {
            description: "A page of history, or the NDJSON export (each line one message)",
            content: {
              "application/json": { schema: schema(historyPage, "output") },
              "application/x-ndjson": { schema: schema(storedMessage, "output") },
            },
          },
          ...errors(400, 401, 403, 404),
        },
      }),
      post: op("Publish as the server (admin); Idempotency-Key makes retries publish once", {
        security: ADMIN,
        parameters: [roomIdParam("id"), {
          name: "Idempotency-Key",
          in: "header",
          required: false,
          schema: { type: "string" },
        }],
        requestBody: body({ oneOf: [system, ...declared] }),
        responses: {
          201: reply("Published", schema(publishReply, "output")),
          ...errors(400, 401, 403, 404, 413, 422, 503),
        },
      }),
    },
    "/api/stats": {
      get: op("Server figures (admin)", {
        security: ADMIN,
        responses: { 200: reply("Stats", schema(statsBody, "output")), ...errors(401, 403) },
      }),
    },
    "/asyncapi.json": {
      get: op("This server's AsyncAPI document", {
        responses: { 200: reply("AsyncAPI 3", { type: "object" }) },
      }),
    },
    "/openapi.json": {
      get: op("This document", { responses: { 200: reply("OpenAPI 3.1", { type: "object" }) } }),
    },
    "/": {
      get: op("The chat demo page", {
        responses: { 200: reply("HTML", { type: "string" }, "text/html") },
      }),
    },
    "/admin": {
      get: op("The admin page", {
        responses: { 200: reply("HTML", { type: "string" }, "text/html") },
      }),
    },
  };
  if (config.dev) {
    paths["/api/dev/token"] = {
      post: op(
        "A one-hour demo token, never admin (only with ROOMD_DEV=true; origin rule applies)",
        {
          requestBody: body(schema(devTokenBody, "input")),
          responses: {
            201: reply("Issued", schema(devTokenReply, "output")),
            ...errors(400, 403, 413),
          },
        },
      ),
    };
  }
  return {
    openapi: "3.1.0",
    jsonSchemaDialect: SCHEMA_DIALECT,
    info: {
      title: "roomd HTTP API",
      version: PROTOCOL_VERSION,
      description: 'Rooms, history and server publishing. Errors are {"error":{"code","message"}}.',
    },
    servers: [{ url: "http://127.0.0.1:8080", description: "`deno task dev`" }],
    paths,
    components: {
      schemas: { Error: schema(errorBody, "output") },
      securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
    },
  };
}
