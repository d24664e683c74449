/**
 * JSON Schemas for the protocol documents, made from zod schemas with `z.toJSONSchema`.
 *
 * @module
 */
import { z } from "zod";

/** A JSON Schema as a plain object. */
export type JsonSchema = Record<string, unknown>;

/** The dialect of every schema in roomd's documents (zod 4 writes draft 2020-12). */
export const SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema";

/**
 * The JSON Schema of a zod schema, without its `$schema` (the documents name the dialect once).
 *
 * @param schema The zod schema the server validates with (or describes a reply with).
 * @param io `input` for what clients send (defaults optional), `output` for what roomd sends.
 * @returns The JSON Schema.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { z } from "zod";
 * import { jsonSchemaOf } from "./json_schema.ts";
 * const schema = jsonSchemaOf(z.object({ n: z.int().default(1) }), "input");
 * assert.deepEqual(schema.required, undefined);
 * assert.ok(!("$schema" in schema));
 * ```
 */
export function jsonSchemaOf(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any" });
  return rest;
}

/**
 * The JSON Schema of a client frame of one type: the shared inbound envelope with `type` fixed
 * and `data` given.
 *
 * @param envelope The JSON Schema of the inbound envelope (from `inboundFrame`).
 * @param type The message type.
 * @param data The JSON Schema of its `data`.
 * @param dataRequired Whether `data` must be present.
 * @returns The frame's JSON Schema.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { inboundFrameSchema } from "./json_schema.ts";
 * const envelope = { type: "object", properties: { type: { type: "string" }, data: {} }, required: ["type"] };
 * const chat = inboundFrameSchema(envelope, "chat", { type: "object" }, true);
 * assert.deepEqual(chat.required, ["type", "data"]);
 * ```
 */
export function inboundFrameSchema(
  envelope: JsonSchema,
  type: string,
  data: JsonSchema,
  dataRequired: boolean,
): JsonSchema {
  const properties = envelope.properties as Record<string, JsonSchema>;
  const required = (envelope.required as string[] | undefined) ?? [];
  return {
    ...envelope,
    properties: { ...properties, type: { type: "string", const: type }, data },
    required: dataRequired && !required.includes("data") ? [...required, "data"] : required,
  };
}
