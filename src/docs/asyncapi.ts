/**
 * The AsyncAPI 3 document of roomd's WebSocket protocol, from the zod schemas the server
 * validates client frames with and those describing its own frames, plus the declared types.
 *
 * @module
 */
import type { CustomTypeConfig } from "../config.ts";
import { messageFrame, OUTBOUND_FRAMES } from "../protocol/outbound_schemas.ts";
import {
  chatData,
  historyData,
  inboundFrame,
  membersData,
  refreshData,
} from "../protocol/schemas.ts";
import { z } from "zod";
import { inboundFrameSchema, type JsonSchema, jsonSchemaOf } from "./json_schema.ts";

/** Version of the documents (of the protocol they describe). */
export const PROTOCOL_VERSION = "1.0.0";

/** Built-in client messages and the zod schema of their `data`. */
const INBOUND_DATA: Readonly<
  Record<string, { data: z.ZodType; required: boolean; about: string }>
> = {
  chat: { data: chatData, required: true, about: "Publish a chat message (persisted)." },
  history: {
    data: historyData,
    required: false,
    about: "Ask for a page of history; answered by a `history` frame with the same `ref`.",
  },
  members: {
    data: membersData,
    required: false,
    about:
      "Ask for a page of the room's members; answered by a `members` frame with the same `ref`.",
  },
  refresh: {
    data: refreshData,
    required: true,
    about: "Hand over a fresh token for the same user; answered by an `ack` with `data.exp`.",
  },
};

const OUTBOUND_ABOUT: Readonly<Record<keyof typeof OUTBOUND_FRAMES, string>> = {
  welcome: "The first frame of every connection.",
  chat: "A chat message, to every connection of the room but the sender's.",
  system: "A message published by the server (`POST /api/rooms/:id/messages`).",
  epoch: "The room's history started over under a new epoch (Redis lost it): reload history.",
  ack: "Sent to the sender once its persisted message is committed, or after a `refresh`.",
  presence: "Users joining and leaving (one frame per presence tick).",
  history: "The answer to a `history` request.",
  members: "The answer to a `members` request.",
  error: "A refused client frame; the connection stays open unless a close follows.",
};

/**
 * Builds the AsyncAPI document.
 *
 * @param customTypes Declared application types (config file `types`).
 * @returns The document, ready for `JSON.stringify`.
 *
 * @example Declared types appear in both directions
 * ```ts
 * import assert from "assert";
 * import { buildAsyncApi } from "./asyncapi.ts";
 * const doc = buildAsyncApi({ typing: { schema: { type: "object" }, max_bytes: 64, persist: false } });
 * const messages = (doc.components as { messages: Record<string, unknown> }).messages;
 * assert.ok("client.typing" in messages && "server.typing" in messages);
 * ```
 */
export function buildAsyncApi(
  customTypes: Readonly<Record<string, CustomTypeConfig>>,
): Record<string, unknown> {
  const envelope = jsonSchemaOf(inboundFrame, "input");
  const messages: Record<string, JsonSchema> = {};
  const received: string[] = [];
  const sent: string[] = [];
  for (const [type, spec] of Object.entries(INBOUND_DATA)) {
    const payload = inboundFrameSchema(
      envelope,
      type,
      jsonSchemaOf(spec.data, "input"),
      spec.required,
    );
    messages[`client.${type}`] = message(type, spec.about, payload);
    received.push(`client.${type}`);
  }
  for (const [name, frame] of Object.entries(OUTBOUND_FRAMES)) {
    const about = OUTBOUND_ABOUT[name as keyof typeof OUTBOUND_FRAMES];
    messages[`server.${name}`] = message(name, about, jsonSchemaOf(frame, "output"));
    sent.push(`server.${name}`);
  }
  for (const [type, spec] of Object.entries(customTypes)) {
    const how = `${spec.persist ? "persisted" : "relayed only"}, at most ${spec.max_bytes} bytes`;
    messages[`client.${type}`] = message(
      type,
      `Declared type "${type}" (${how}).`,
      inboundFrameSchema(envelope, type, spec.schema, true),
    );
    received.push(`client.${type}`);
    const out = jsonSchemaOf(messageFrame(z.literal(type), z.unknown()), "output");
    const properties = out.properties as Record<string, JsonSchema>;
    messages[`server.${type}`] = message(type, `Declared type "${type}" as delivered.`, {
      ...out,
      properties: { ...properties, data: spec.schema },
    });
    sent.push(`server.${type}`);
  }
  const ref = (key: string) => ({ $ref: `#/channels/room/messages/${key}` });
  return {
    asyncapi: "3.0.0",
    info: {
      title: "roomd WebSocket protocol",
      version: PROTOCOL_VERSION,
      description: "JSON text frames over one WebSocket per room. Refusals before the upgrade " +
        "are HTTP statuses (see the OpenAPI document); close codes are listed in README.md.",
    },
    defaultContentType: "application/json",
    servers: {
      local: { host: "127.0.0.1:8080", protocol: "ws", description: "`deno task dev`" },
    },
    channels: {
      room: {
        address: "/ws/{room_id}",
        description: "A room. Token: `Authorization: Bearer`, subprotocol `roomd.token.<JWT>` " +
          "or `?token=`. Resume with `?since=<last id>&epoch=<epoch>`.",
        parameters: { room_id: { description: "Room id, ^[A-Za-z0-9._:-]{1,64}$" } },
        messages: Object.fromEntries(
          Object.keys(messages).map((key) => [key, { $ref: `#/components/messages/${key}` }]),
        ),
      },
    },
    operations: {
      receiveFromClient: {
        action: "receive",
        channel: { $ref: "#/channels/room" },
        summary: "Frames a client sends.",
        messages: received.map(ref),
      },
      sendToClient: {
        action: "send",
        channel: { $ref: "#/channels/room" },
        summary: "Frames roomd sends.",
        messages: sent.map(ref),
      },
    },
    components: { messages },
  };
}

function message(name: string, summary: string, schema: JsonSchema): JsonSchema {
  return {
    name,
    summary,
    payload: { schemaFormat: `application/schema+json;version=draft-2020-12`, schema },
  };
}
