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
 * Sends every stored message of the room with an id above `since`, oldest first, after
 * committing what the writer still holds (so acknowledged messages are included).
 *
 * @param ctx Store and writer.
 * @param roomId Room.
 * @param since Last id the client saw (0 = everything retained).
 * @param send Delivers one frame of the given type.
 */
export async function replayHistory(
  ctx: Pick<RoomContext, "store" | "writer">,
  roomId: string,
  since: number,
  send: (frame: string, type: string) => void,
): Promise<void> {
  await ctx.writer.flush();
  let after = since;
  for (;;) {
    const page = await ctx.store.readMessages(roomId, { since: after, limit: PAGE });
    for (const message of page.messages) {
      send(encodeEnvelope(message), message.type);
    }
    if (!page.has_more || page.messages.length === 0) return;
    after = page.messages.at(-1)!.id;
  }
}
