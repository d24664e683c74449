/**
 * JSON responses and request bodies, with errors as `{"error":{"code","message"}}`.
 *
 * @module
 */
import { isWellFormedJson } from "../protocol/well_formed.ts";

/** Largest accepted request body. */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * A JSON response.
 *
 * @param body Any JSON value.
 * @param status HTTP status (200).
 * @param headers Extra headers.
 * @returns The response.
 */
export function json(body: unknown, status = 200, headers: HeadersInit = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
  });
}

/**
 * An error response with the standard body.
 *
 * @param status HTTP status.
 * @param code Machine-readable code.
 * @param message What went wrong, for people.
 * @param headers Extra headers (e.g. `Retry-After`).
 * @returns The response.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { jsonError } from "./json.ts";
 * const res = jsonError(404, "not_found", "Cannot find room \"x\"");
 * assert.ok(res.status === 404);
 * ```
 */
export function jsonError(
  status: number,
  code: string,
  message: string,
  headers: HeadersInit = {},
): Response {
  return json({ error: { code, message } }, status, headers);
}

/** A parsed body, or the error response to send instead. */
export type BodyResult = { ok: true; value: unknown } | { ok: false; response: Response };

/**
 * Reads a JSON request body of at most {@linkcode MAX_BODY_BYTES}: `Content-Type` must be
 * `application/json` (a `charset` other than UTF-8 is refused), the body well-formed UTF-8
 * JSON whose strings are well-formed Unicode.
 *
 * @param request The request.
 * @returns The parsed value, or a 413/415/400 response.
 */
export async function readJsonBody(request: Request): Promise<BodyResult> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES) return tooLarge();
  const mediaTypeError = checkMediaType(request.headers.get("content-type"));
  if (mediaTypeError !== null) {
    return { ok: false, response: jsonError(415, "unsupported_media_type", mediaTypeError) };
  }
  if (!request.body) {
    return {
      ok: false,
      response: jsonError(400, "invalid_body", "Invalid body: a JSON body is required"),
    };
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      return tooLarge();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return invalid("Invalid body: not valid UTF-8");
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return invalid("Invalid body: not valid JSON");
  }
  if (!isWellFormedJson(text, value)) {
    return invalid("Invalid body: text is not well-formed Unicode");
  }
  return { ok: true, value };
}

function invalid(message: string): BodyResult {
  return { ok: false, response: jsonError(400, "invalid_body", message) };
}

/**
 * Checks a request's `Content-Type` for a JSON body.
 *
 * @returns `null` when acceptable, else why not.
 */
function checkMediaType(header: string | null): string | null {
  const [type, ...params] = (header ?? "").split(";");
  if (type.trim().toLowerCase() !== "application/json") {
    return "Cannot read body: Content-Type must be application/json";
  }
  for (const param of params) {
    const [name, raw = ""] = param.split("=", 2);
    const value = raw.trim().replace(/^"(.*)"$/, "$1").toLowerCase();
    if (name.trim().toLowerCase() === "charset" && value !== "utf-8" && value !== "utf8") {
      return "Cannot read body: the only charset accepted is utf-8";
    }
  }
  return null;
}

function tooLarge(): BodyResult {
  return {
    ok: false,
    response: jsonError(413, "body_too_large", `Invalid body: larger than ${MAX_BODY_BYTES} bytes`),
  };
}
