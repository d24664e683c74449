/**
 * roomd's client: one room connection that reconnects, resumes without gaps or duplicates,
 * refreshes its token and confirms every send. Runs unchanged in browsers and Deno; no
 * runtime dependencies.
 *
 * @example Join a room and chat
 * ```ts ignore
 * import { connect } from "roomd/client";
 * const client = connect("https://chat.example.com", {
 *   room: "lobby",
 *   getToken: () => fetch("/my/token").then((r) => r.text()),
 * });
 * client.on("chat", (m) => console.log(m.user_id, m.data.text));
 * client.on("state", (s) => s.recovered === false && console.log("reload history"));
 * const { id } = await client.send("chat", { text: "hi" });
 * ```
 *
 * @module
 */
import { RoomClient } from "./client.ts";
import type { ConnectOptions } from "./options.ts";

export { RoomClient } from "./client.ts";
export { RoomdError } from "./errors.ts";
export { backoffDelay, type BackoffOptions } from "./backoff.ts";
export type { ConnectOptions, WebSocketFactory } from "./options.ts";
export type { ClientEvents, ConnectionState, StateChange, StateReason } from "./events.ts";
export { type Clock, systemClock } from "./clock.ts";
export type { GetToken } from "./token.ts";
export type {
  Ack,
  ErrorData,
  HistoryPage,
  Member,
  MembersPage,
  PresenceData,
  RoomMessage,
  WelcomeData,
} from "./types.ts";

/**
 * Connects to a room; the client connects at once and keeps connected until `close()` or a
 * refusal that retrying cannot fix (watch the `state` event).
 *
 * @param url The server's base URL (`https://…`, `http://…`, `wss://…`).
 * @param options The room, a `token` or `getToken`, and tuning.
 * @returns The client.
 * @throws {TypeError} When the room or both token options are missing.
 */
export function connect(url: string, options: ConnectOptions): RoomClient {
  return new RoomClient(url, options);
}
