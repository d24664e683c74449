/**
 * zod schemas of every message a client may send, and the registry of application types.
 *
 * @module
 */
import { z } from "zod";
import { Ajv } from "ajv";
import type { CustomTypeConfig } from "../config.ts";
import type { ErrorData } from "./envelope.ts";
import { utf8Length } from "./utf8_length.ts";

/** Most history messages one request may ask for. */
export const MAX_HISTORY_LIMIT = 200;
/** History messages a request gets when it does not say how many. */
export const DEFAULT_HISTORY_LIMIT = 50;

// deno-lint-ignore no-control-regex
const FORBIDDEN_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/;

/** `data` of a `chat` message: trimmed text, 1–4000 characters, no control characters but \n and \t. */
export const chatData = z.object({
  text: z.string().trim().min(1).max(4000).refine((t) => !FORBIDDEN_CONTROL.test(t), {
    message: "must not contain control characters other than newline and tab",
  }),
}).strict();

/** `data` of a `history` request. */
export const historyData = z.object({
  before: z.number().int().positive().optional(),
  since: z.number().int().nonnegative().optional(),
  limit: z.number().int().min(1).max(MAX_HISTORY_LIMIT).default(DEFAULT_HISTORY_LIMIT),
}).strict();

/** `data` of a `refresh` request: a new token for the connection's user. */
export const refreshData = z.object({ token: z.string().min(1) }).strict();

/** Most members one `members` request may ask for. */
export const MAX_MEMBERS_LIMIT = 200;
/** Members a `members` request gets when it does not say how many. */
export const DEFAULT_MEMBERS_LIMIT = 100;

/** `data` of a `members` request: an opaque cursor from the welcome or a previous page. */
export const membersData = z.object({
  cursor: z.string().min(1).max(64).optional(),
  limit: z.number().int().min(1).max(MAX_MEMBERS_LIMIT).default(DEFAULT_MEMBERS_LIMIT),
}).strict();

/** The outer shape shared by every client message. */
export const inboundFrame = z.object({
  type: z.string().min(1).max(32),
  data: z.unknown().optional(),
  ref: z.string().max(64).optional(),
  /** Client message id: a persisted repeat within the dedupe window publishes nothing. */
  cid: z.string().min(1).max(64).optional(),
}).strict();

/** A validated client message. */
export type InboundMessage =
  | { kind: "publish"; type: string; data: unknown; ref?: string; cid?: string; persist: boolean }
  | { kind: "history"; query: z.output<typeof historyData>; ref?: string }
  | { kind: "refresh"; token: string; ref?: string }
  | { kind: "members"; query: z.output<typeof membersData>; ref?: string };

type DataValidator = (data: unknown) => { ok: true; data: unknown } | { ok: false; error: string };

/** A type clients may publish, with its validator. */
export interface PublishType {
  /** Enters history and gets an id. */
  persist: boolean;
  /** Checks (and normalizes) `data`. */
  validate: DataValidator;
}

/** Publishable types by name. */
export type TypeRegistry = ReadonlyMap<string, PublishType>;

const SERVER_ONLY = new Set(["presence", "system", "ack", "error", "welcome"]);

function fromZod(schema: z.ZodType): DataValidator {
  return (data) => {
    const r = schema.safeParse(data);
    return r.success ? { ok: true, data: r.data } : { ok: false, error: describe(r.error, "data") };
  };
}

function describe(error: z.ZodError, root: string): string {
  const issue = error.issues[0];
  const path = [root, ...issue.path.map(String)].filter((p) => p !== "").join(".");
  return `${path || "message"}: ${issue.message}`;
}

/**
 * The registry with only the built-in `chat` type.
 *
 * @returns A registry for {@linkcode parseInbound}.
 */
export function builtinTypes(): TypeRegistry {
  return new Map([["chat", { persist: true, validate: fromZod(chatData) }]]);
}

/**
 * The registry with `chat` and the declared application types, whose JSON Schemas are compiled
 * once here.
 *
 * @param declared Types from the config file.
 * @returns A registry for {@linkcode parseInbound}.
 * @throws {Error} When a JSON Schema does not compile.
 */
export function buildTypeRegistry(
  declared: Readonly<Record<string, CustomTypeConfig>>,
): TypeRegistry {
  const ajv = new Ajv({ allErrors: false, strict: false });
  const registry = new Map(builtinTypes());
  for (const [name, spec] of Object.entries(declared)) {
    const check = ajv.compile(spec.schema);
    registry.set(name, {
      persist: spec.persist,
      validate: (data) => {
        const size = utf8Length(JSON.stringify(data ?? null));
        if (size > spec.max_bytes) {
          return {
            ok: false,
            error: `data: ${size} bytes is over the ${spec.max_bytes}-byte limit of "${name}"`,
          };
        }
        if (check(data)) return { ok: true, data };
        const e = check.errors?.[0];
        const path = e ? `data${e.instancePath.replaceAll("/", ".")}` : "data";
        return { ok: false, error: `${path}: ${e?.message ?? "invalid"}` };
      },
    });
  }
  return registry;
}

/** A client message, or the error to send back (with the frame's `ref` when readable). */
export type DecodeResult =
  | { ok: true; message: InboundMessage }
  | { ok: false; error: ErrorData; ref?: string };

/**
 * The `ref` of a parsed frame, cut to 64 characters, for a reply to a frame that is refused.
 *
 * @param raw The value from `JSON.parse`.
 * @returns The `ref` when it is a string.
 */
export function readRef(raw: unknown): string | undefined {
  const ref = (raw as { ref?: unknown } | null)?.ref;
  return typeof ref === "string" ? ref.slice(0, 64) : undefined;
}

/**
 * Validates a parsed JSON value as a client message.
 *
 * @param raw The value from `JSON.parse`.
 * @param types Publishable types.
 * @returns The message, or an error naming the field path.
 */
export function parseInbound(raw: unknown, types: TypeRegistry): DecodeResult {
  const frame = inboundFrame.safeParse(raw);
  if (!frame.success) {
    return {
      ok: false,
      ref: readRef(raw),
      error: {
        code: "invalid_message",
        message: `Invalid message: ${describe(frame.error, "")}`,
      },
    };
  }
  const { type, data, ref, cid } = frame.data;
  if (type === "history") {
    return request(
      type,
      historyData,
      data ?? {},
      ref,
      (query) => ({ kind: "history", query, ref }),
    );
  }
  if (type === "refresh") {
    return request(type, refreshData, data, ref, ({ token }) => ({ kind: "refresh", token, ref }));
  }
  if (type === "members") {
    return request(
      type,
      membersData,
      data ?? {},
      ref,
      (query) => ({ kind: "members", query, ref }),
    );
  }
  const spec = types.get(type);
  if (!spec) {
    const why = SERVER_ONLY.has(type) ? "is sent by the server only" : "is not a declared type";
    return {
      ok: false,
      ref,
      error: { code: "unknown_type", message: `Cannot send "${type}": it ${why}` },
    };
  }
  const checked = spec.validate(data);
  if (!checked.ok) {
    return {
      ok: false,
      ref,
      error: { code: "invalid_message", message: `Invalid "${type}" message: ${checked.error}` },
    };
  }
  return {
    ok: true,
    message: {
      kind: "publish",
      type,
      data: checked.data,
      ref,
      persist: spec.persist,
      ...(cid === undefined ? {} : { cid }),
    },
  };
}

/** Checks the `data` of a built-in request and builds its message, or the error naming why not. */
function request<T extends z.ZodType>(
  type: string,
  schema: T,
  data: unknown,
  ref: string | undefined,
  build: (value: z.output<T>) => InboundMessage,
): DecodeResult {
  const parsed = schema.safeParse(data);
  if (parsed.success) return { ok: true, message: build(parsed.data) };
  return {
    ok: false,
    ref,
    error: {
      code: "invalid_message",
      message: `Invalid "${type}" request: ${describe(parsed.error, "data")}`,
    },
  };
}
