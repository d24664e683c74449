/**
 * Sending missed messages to a reconnecting client.
 *
 * @module
 */
import { encodeEnvelope } from "../protocol/codec.ts";
import type { PaceResult } from "./replay_pacer.ts";
import type { RoomContext } from "./room_context.ts";

/** Messages read from the store per page while replaying. */
const PAGE = 500;

/**
 * Sends one frame, at once (`true`) or once the connection can take it (a promise); anything
 * but `true` or `"ok"` stops the replay.
 */
export type PacedSend = (frame: string, type: string) => true | Promise<PaceResult>;

/**
 * Sends every stored message of the room with an id above `since` and up to `upTo`, oldest
 * first, after committing what the writer still holds (so acknowledged messages are
 * included). Messages after `upTo` reach the client live.
 *
 * @param ctx Store and writer.
 * @param roomId Room.
 * @param since Last id the client saw (0 = everything retained).
 * @param upTo The room's last id when the client joined.
 * @param send Delivers one frame of the given type, pacing the replay.
 * @returns `"ok"` when everything was sent, else why the replay stopped.
 */
export async function replayHistory(
  ctx: Pick<RoomContext, "store" | "writer">,
  roomId: string,
  since: number,
  upTo: number,
  send: PacedSend,
): Promise<PaceResult> {
  // A failed commit rejects the flush; what it held was never stored, so there is nothing to
  // replay of it.
  await ctx.writer.flush().catch(() => {});
  let after = since;
  while (after < upTo) {
    const page = await ctx.store.readMessages(roomId, { since: after, limit: PAGE });
    for (const message of page.messages) {
      if (message.id > upTo) return "ok";
      const sent = send(encodeEnvelope(message), message.type);
      if (sent !== true) {
        const result = await sent;
        if (result !== "ok") return result;
      }
    }
    if (!page.has_more || page.messages.length === 0) return "ok";
    after = page.messages.at(-1)!.id;
  }
  return "ok";
}
