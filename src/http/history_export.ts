/**
 * The history export: a room's whole retained history as NDJSON (one message per line),
 * streamed page by page so that neither side holds the whole history.
 *
 * @module
 */
import { MAX_HISTORY_LIMIT } from "../protocol/schemas.ts";
import type { HistoryPage, HistoryQuery } from "../store/types.ts";

/** Media type of the export. */
export const NDJSON = "application/x-ndjson";

/**
 * Whether a history request asks for the NDJSON export: `?format=ndjson`, or an `Accept`
 * header naming {@linkcode NDJSON}.
 *
 * @param request The request.
 * @param url Its parsed URL.
 * @returns Whether to answer with {@linkcode exportHistory}.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { wantsNdjson } from "./history_export.ts";
 * const url = new URL("http://localhost/api/rooms/lobby/messages?format=ndjson");
 * assert.ok(wantsNdjson(new Request(url), url));
 * ```
 */
export function wantsNdjson(request: Request, url: URL): boolean {
  return url.searchParams.get("format") === "ndjson" ||
    (request.headers.get("accept") ?? "").includes(NDJSON);
}

/**
 * Streams every message after `since`, oldest first, one JSON message per line. A page is read
 * when the client has taken the previous one (a pull stream), and the first page is read
 * before answering, so that a store failure is still an error response; a later one aborts
 * the body.
 *
 * @param read Reads one page of history (the room's `readHistory`).
 * @param since Export the messages after this id (0 for all).
 * @returns The response.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { exportHistory } from "./history_export.ts";
 * const stored = [1, 2, 3].map((id) => ({ id, type: "chat", data: { text: `m${id}` } }));
 * const read = ({ since = 0, limit }: { since?: number; limit: number }) => {
 *   const messages = stored.filter((m) => m.id > since).slice(0, limit);
 *   return Promise.resolve({ messages, has_more: false } as never);
 * };
 * const res = await exportHistory(read, 1);
 * assert.equal(await res.text(), '{"id":2,"type":"chat","data":{"text":"m2"}}\n' +
 *   '{"id":3,"type":"chat","data":{"text":"m3"}}\n');
 * ```
 */
export async function exportHistory(
  read: (query: HistoryQuery) => Promise<HistoryPage>,
  since: number,
): Promise<Response> {
  const encoder = new TextEncoder();
  let page: HistoryPage | null = await read({ since, limit: MAX_HISTORY_LIMIT });
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      page ??= await read({ since, limit: MAX_HISTORY_LIMIT });
      const { messages, has_more } = page;
      page = null;
      if (messages.length > 0) {
        controller.enqueue(encoder.encode(messages.map((m) => JSON.stringify(m) + "\n").join("")));
        since = messages[messages.length - 1].id;
      }
      if (!has_more || messages.length === 0) controller.close();
    },
  }, { highWaterMark: 0 });
  return new Response(body, { headers: { "content-type": `${NDJSON}; charset=utf-8` } });
}
