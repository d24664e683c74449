/**
 * Resuming a connection: its missed messages, paced through its send queue, then the live
 * frames held meanwhile, then the live stream itself, with no gap and no duplicate.
 *
 * @module
 */
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics/metrics.ts";
import type { SizedFrame } from "../protocol/codec.ts";
import { utf8Length } from "../protocol/utf8_length.ts";
import { CloseCode } from "../ws/close_codes.ts";
import type { Connection } from "../ws/connection.ts";
import type { HeldSocket } from "./held_socket.ts";
import { replayHistory } from "./replay.ts";
import { type PaceResult, ReplayPacer } from "./replay_pacer.ts";
import type { RoomContext } from "./room_context.ts";

/** Live frames held for a replaying connection, as a multiple of its queue cap. */
export const HOLD_FACTOR = 8;
/** The least held for a replaying connection (UTF-16 units). */
export const HOLD_FLOOR = 1024 * 1024;

/** What a resume needs besides the connection. */
export interface ResumeDeps {
  /** Broker (history) and configuration. */
  ctx: Pick<RoomContext, "broker" | "config">;
  /** Room id. */
  roomId: string;
  /** Counters. */
  metrics: Metrics;
  /** Logger. */
  log: Logger;
  /** Sends one frame to the connection (counted in metrics). */
  sendTo(type: string, frame: SizedFrame): void;
  /** Puts the connection's own socket back into the room's broadcast list. */
  release(): void;
}

/**
 * Cuts a connection off as a slow consumer.
 *
 * @param connection The connection.
 * @param metrics Counters.
 */
export function cutOff(connection: Connection, metrics: Metrics): void {
  if (connection.closing) return;
  connection.close(CloseCode.slowConsumer, "slow consumer");
  metrics.slowConsumerDisconnect();
}

/**
 * Replays the messages after `since` up to `upTo` while the room holds the connection's live
 * frames in `held`, sends those, and releases the connection into the live stream — all
 * paced, so the backlog stays under the slow-consumer cap. Runs outside the room actor (it
 * waits for the client); the release happens in the same turn as the last check that nothing
 * is held, so no broadcast falls between them. A held message with an id up to `upTo` is
 * skipped: the replay sent it (a room that broadcasts after the commit may deliver a message
 * of before the join after it). A client that stops reading for 30 s, or whose
 * held frames outgrow their limit, is cut off with 4408.
 *
 * @param connection The resuming connection, already a member.
 * @param since Last id the client saw.
 * @param upTo The room's last id when the connection joined.
 * @param held Where the room puts the connection's live frames meanwhile.
 * @param deps Store, metrics and the room's hooks.
 */
export async function resumeConnection(
  connection: Connection,
  since: number,
  upTo: number,
  held: HeldSocket,
  deps: ResumeDeps,
): Promise<void> {
  const pacer = new ReplayPacer(
    {
      backlog: () => connection.socket.bufferedAmount,
      get closing() {
        return connection.closing;
      },
    },
    { maxQueueBytes: deps.ctx.config.maxQueueBytes },
  );
  const send = (text: string, type: string): true | Promise<PaceResult> => {
    if (connection.closing) return Promise.resolve("closed");
    const frame = { text, bytes: utf8Length(text) };
    const ready = pacer.ready(frame.bytes);
    if (ready === true) {
      deps.sendTo(type, frame);
      return true;
    }
    return ready.then((result) => {
      if (result === "ok") deps.sendTo(type, frame);
      return result;
    });
  };
  try {
    let result = await replayHistory(deps.ctx, deps.roomId, since, upTo, send);
    while (result === "ok" && held.pending) {
      for (const text of held.take()) {
        if (idOf(text) <= upTo) continue;
        const ready = pacer.ready(utf8Length(text));
        if (ready !== true && (result = await ready) !== "ok") break;
        connection.send(text);
      }
    }
    if (result === "ok" && !connection.closing) deps.release();
    if (result === "stalled") cutOff(connection, deps.metrics);
  } catch (error) {
    deps.log.error("Cannot replay missed messages: {error}", {
      ...connection.logContext(),
      error: String(error),
    });
    connection.close(CloseCode.internalError, "replay failed");
  }
}

/** The id at the end of a room message frame (see `encodeMessage`), or `Infinity` for frames without one (always sent). */
function idOf(frame: string): number {
  const match = /,"id":(\d+)\}$/.exec(frame);
  return match === null ? Infinity : Number(match[1]);
}
