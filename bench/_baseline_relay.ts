/**
 * The one step both naive baselines (`baseline_server.ts`, `baseline_ws_server.ts`) take per
 * message: parse the client's frame and build the envelope every other member gets.
 *
 * @module
 */

/**
 * Builds the relayed frame of a client's text frame, as a naive server would.
 *
 * @param text The client's frame.
 * @param room Its room.
 * @param user Its sender.
 * @returns The frame to send to every other member, or `null` for a frame that is not JSON.
 *
 * @example A chat frame
 * ```ts
 * import assert from "assert";
 * import { relayFrame } from "./_baseline_relay.ts";
 * const out = JSON.parse(relayFrame('{"type":"chat","data":{"text":"hi"}}', "r", "u")!);
 * assert.ok(out.room_id === "r" && out.user_id === "u" && out.data.text === "hi");
 * assert.ok(relayFrame("not json", "r", "u") === null);
 * ```
 */
export function relayFrame(text: string, room: string, user: string): string | null {
  let frame: { type?: unknown; data?: unknown };
  try {
    frame = JSON.parse(text);
  } catch {
    return null;
  }
  return JSON.stringify({
    type: frame.type,
    room_id: room,
    user_id: user,
    data: frame.data,
    timestamp: new Date().toISOString(),
  });
}
