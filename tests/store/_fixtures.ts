/**
 * Messages for store tests.
 *
 * @module
 */
import type { SerializedMessage, StoredMessage } from "../../src/store/types.ts";

/**
 * A chat message of `ana` in a room.
 *
 * @param roomId Room.
 * @param id Message id.
 * @param fields Fields to override.
 * @returns The message.
 */
export function storedMessage(
  roomId: string,
  id: number,
  fields: Partial<StoredMessage> = {},
): StoredMessage {
  return {
    id,
    type: "chat",
    room_id: roomId,
    user_id: "ana",
    data: { text: `message ${id}` },
    timestamp: "2025-01-01T00:00:00.000Z",
    ...fields,
  };
}

/**
 * A stored message in the form {@linkcode MessageStore.appendMessages} takes.
 *
 * @param message The message.
 * @returns The same message with its payload serialized (`undefined` becomes `null`).
 */
export function serializeMessage(message: StoredMessage): SerializedMessage {
  const { data, ...rest } = message;
  return { ...rest, data_json: JSON.stringify(data ?? null) };
}
