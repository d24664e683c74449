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
 * Sends every stored message of the room with `since < id <= upTo`, oldest first. `upTo` is the
 * last id the room delivered when the client joined: messages stored after it reach the client
 * live.
 *
 * @param ctx The broker (history).
 * @param roomId Room.
 * @param since Last id the client saw (0 = everything retained).
 * @param upTo Last id delivered live when the client joined.
 * @param send Delivers one frame of the given type, pacing the replay.
 * @returns `"ok"` when everything was sent, else why the replay stopped.
 */
export async function replayHistory(
  ctx: Pick<RoomContext, "broker">,
  roomId: string,
  since: number,
  upTo: number,
  send: PacedSend,
): Promise<PaceResult> {
  let after = since;
  while (after < upTo) {
    const page = await ctx.broker.history(roomId, { since: after, limit: PAGE });
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
