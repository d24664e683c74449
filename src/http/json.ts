/**
 * JSON responses and request bodies, with errors as `{"error":{"code","message"}}`.
 *
 * @module
 */

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
 * Reads a JSON request body of at most {@linkcode MAX_BODY_BYTES}.
 *
 * @param request The request.
 * @returns The parsed value, or a 413/400 response.
 */
export async function readJsonBody(request: Request): Promise<BodyResult> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES) return tooLarge();
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
  try {
    return { ok: true, value: JSON.parse(new TextDecoder().decode(bytes)) };
  } catch {
    return { ok: false, response: jsonError(400, "invalid_body", "Invalid body: not valid JSON") };
  }
}

function tooLarge(): BodyResult {
  return {
    ok: false,
    response: jsonError(413, "body_too_large", `Invalid body: larger than ${MAX_BODY_BYTES} bytes`),
  };
}
