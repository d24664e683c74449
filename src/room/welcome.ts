/**
 * The welcome a connection receives first.
 *
 * @module
 */
import type { MemberInfo } from "../protocol/envelope.ts";
import type { RoomRecord } from "../store/types.ts";
import type { MemberPage } from "../presence/presence.ts";

/** The `data` of a welcome message. */
export interface WelcomeData {
  /** Always `welcome`. */
  event: "welcome";
  /** The room's public settings. */
  room: Pick<RoomRecord, "id" | "name" | "metadata" | "max_clients" | "is_private">;
  /** The first members present in join order (the newcomer included when the page reaches it). */
  members: MemberInfo[];
  /** Exact number of members present. */
  count: number;
  /** Where a `members` request continues the list; `null` when `members` is complete. */
  cursor: string | null;
  /** Newest message id of the room (0 when none). */
  last_id: number;
  /** History generation; resume with `?since=ID&epoch=E`. */
  epoch: string;
  /** With `?since=`: whether every missed message follows; absent on a fresh join. */
  recovered?: boolean;
  /** The connection's id. */
  connection_id: string;
}

/**
 * Builds the `data` of a welcome.
 *
 * @param room The room.
 * @param members The first page of members present.
 * @param lastId Newest message id.
 * @param recovered Resume outcome, if resuming.
 * @param connectionId The connection's id.
 * @returns The welcome data.
 */
export function welcomeData(
  room: RoomRecord,
  members: MemberPage<MemberInfo>,
  lastId: number,
  recovered: boolean | undefined,
  connectionId: string,
): WelcomeData {
  const { id, name, metadata, max_clients, is_private } = room;
  return {
    event: "welcome",
    room: { id, name, metadata, max_clients, is_private },
    members: members.members,
    count: members.count,
    cursor: members.cursor,
    last_id: lastId,
    epoch: room.epoch,
    recovered,
    connection_id: connectionId,
  };
}
