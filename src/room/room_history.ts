/**
 * A room's history job: `history` requests and reads, and resuming a reconnecting connection
 * (hold its live frames, replay through the broker, release; see `resume.ts`).
 *
 * @module
 */
import type { HistoryPage, HistoryQuery } from "../store/types.ts";
import type { Connection } from "../ws/connection.ts";
import { HeldSocket } from "./held_socket.ts";
import { cutOff, HOLD_FACTOR, HOLD_FLOOR, resumeConnection } from "./resume.ts";
import type { RoomState } from "./room_state.ts";

/** What a reconnecting client asks to resume from. */
export interface ResumeRequest {
  /** The last id the client saw. */
  since: number;
  /** The epoch the client saw it in. */
  epoch?: string;
}

/**
 * Reads history after settling the publishes in progress (a client may ask before its ack).
 *
 * @param state The room.
 * @param query Which messages.
 * @returns The page.
 */
export async function readHistory(state: RoomState, query: HistoryQuery): Promise<HistoryPage> {
  await state.ctx.broker.flush();
  return state.ctx.broker.history(state.id, query);
}

/**
 * Answers a client's `history` request.
 *
 * @param state The room.
 * @param to The asking connection.
 * @param query Which messages.
 * @param ref The client's reference.
 */
export async function sendHistory(
  state: RoomState,
  to: Connection,
  query: HistoryQuery,
  ref?: string,
): Promise<void> {
  const page = await readHistory(state, query);
  state.outbox.sendTo(to, "history", JSON.stringify({ type: "history", ref, data: page }));
}

/**
 * Holds the room's broadcasts to `connection` until its replay is done.
 *
 * @param state The room.
 * @param connection A resuming connection, already a member.
 * @returns Where its live frames wait.
 */
export function holdFrames(state: RoomState, connection: Connection): HeldSocket {
  const { config, metrics } = state.ctx;
  const limit = Math.max(HOLD_FACTOR * config.maxQueueBytes, HOLD_FLOOR);
  const held = new HeldSocket(limit, () => cutOff(connection, metrics));
  state.members.useSocket(connection, held);
  return held;
}

/**
 * Whether the client's position can be resumed: same epoch, nothing it missed trimmed.
 *
 * @param state The room.
 * @param resume The client's position.
 * @returns `true` when the replay will be complete.
 */
export async function canRecover(state: RoomState, resume: ResumeRequest): Promise<boolean> {
  // The broker's epoch, not the record's: a shared store may have started the room over.
  const { trimmed, epoch } = await state.ctx.broker.position(state.id);
  if (resume.epoch !== undefined && resume.epoch !== epoch) return false;
  return resume.since >= trimmed;
}

/**
 * Replays outside the actor, then releases the held frames and the connection.
 *
 * @param state The room.
 * @param connection The resuming connection.
 * @param since Replay the messages after this id.
 * @param held Its live frames meanwhile.
 */
export function startResume(
  state: RoomState,
  connection: Connection,
  since: number,
  held: HeldSocket,
): void {
  const { ctx } = state;
  // Up to the last id delivered: later ones are on their way through the mailbox.
  void resumeConnection(connection, since, state.publisher.lastId, held, {
    ctx,
    roomId: state.id,
    metrics: ctx.metrics,
    log: ctx.log,
    sendTo: (type, frame) => state.outbox.sendTo(connection, type, frame),
    release: () => state.members.useSocket(connection, connection.socket),
  });
}
