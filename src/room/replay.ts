/**
 * Sending missed messages to a reconnecting client.
 *
 * @module
 */
import { encodeEnvelope } from "../protocol/codec.ts";
import type { RoomContext } from "./room_context.ts";

/** Messages read from the store per page while replaying. */
const PAGE = 500;

/**
 * Sends every stored message of the room with `since < id <= until`, oldest first. `until` is
 * the last id the room delivered: messages stored after it reach the client live.
 *
 * @param ctx Store.
 * @param roomId Room.
 * @param since Last id the client saw (0 = everything retained).
 * @param until Last id delivered live.
 * @param send Delivers one frame of the given type.
 */
export async function replayHistory(
  ctx: Pick<RoomContext, "store">,
  roomId: string,
  since: number,
  until: number,
  send: (frame: string, type: string) => void,
): Promise<void> {
  let after = since;
  while (after < until) {
    const page = await ctx.store.readMessages(roomId, { since: after, limit: PAGE });
    for (const message of page.messages) {
      if (message.id > until) return;
      send(encodeEnvelope(message), message.type);
    }
    if (!page.has_more || page.messages.length === 0) return;
    after = page.messages.at(-1)!.id;
  }
}
