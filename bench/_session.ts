/**
 * A load session: every WebSocket client of a run, opened room by room, with the publishers
 * picked out and one shared {@linkcode DeliveryMeter}.
 *
 * @module
 */
import type { LoadOptions } from "./_args.ts";
import { type ClientSpec, openClients } from "./_connect.ts";
import { DeliveryMeter } from "./_meter.ts";
import { progress } from "./_progress.ts";
import { nodeOf } from "./_spread.ts";
import { mintToken } from "../src/auth/mint.ts";

/** The open clients of one run. */
export interface Session {
  /** Counts deliveries for every socket. */
  meter: DeliveryMeter;
  /** Every open socket. */
  sockets: WebSocket[];
  /** The publishing sockets (the first `publishersPerRoom` of each room). */
  publishers: WebSocket[];
  /** Milliseconds each connection took to open. */
  connectMs: number[];
  /** Milliseconds until every client was ready (welcome received; see `openClients`). */
  allReadyMs: number;
  /** Room ids used. */
  rooms: string[];
}

/**
 * Room ids for a run, unique per run so a long-lived server's history does not mix in.
 *
 * @param count Rooms.
 * @returns `load-<run>-<i>` ids.
 */
export function roomIds(count: number): string[] {
  const run = crypto.randomUUID().slice(0, 6);
  return Array.from({ length: count }, (_, i) => `load-${run}-${i}`);
}

/** More clients for the rooms of an open session: each room's clients `from` to `to − 1`. */
export interface MoreClients {
  /** The session's rooms. */
  rooms: string[];
  /** First client index per room (users are named by it). */
  from: number;
  /** One past the last. */
  to: number;
}

/**
 * Opens every client of the run, each room's clients spread over the nodes (`nodeOf`). Fails as
 * a whole when any client cannot connect, because a partial room would skew every figure.
 *
 * @param options The run's options.
 * @param more Open these clients of an existing session's rooms instead (no publishers).
 * @returns The session, or a one-line reason.
 */
export async function openSession(
  options: LoadOptions,
  more?: MoreClients,
): Promise<Session | string> {
  const rooms = more?.rooms ?? roomIds(options.rooms);
  if (more === undefined && options.presence !== null && options.secret !== null) {
    const created = await createRooms(options.urls[0], rooms, options.presence, options.secret);
    if (created !== null) return created;
  }
  const from = more?.from ?? 0;
  const to = more?.to ?? options.clientsPerRoom;
  const specs: ClientSpec[] = [];
  for (const [r, room] of rooms.entries()) {
    for (let c = from; c < to; c++) {
      specs.push({ room, user: `${room}-u${c}`, node: nodeOf(r, c, options.urls.length) });
    }
  }
  const meter = new DeliveryMeter();
  const started = performance.now();
  const ticker = setInterval(
    () => progress(`connecting ${specs.length} clients… ${elapsed(started)} s`),
    1000,
  );
  const result = await openClients(
    options.urls,
    specs,
    options.secret,
    meter,
    options.connectConcurrency,
    options.connectTimeoutSeconds * 1000,
  ).finally(() => clearInterval(ticker));
  const sockets = result.sockets.filter((s): s is WebSocket => s !== null);
  if (result.failures > 0) {
    closeSockets(meter, sockets);
    return `Cannot run the load: ${result.failures} of ${specs.length} connections failed (${result.firstError})`;
  }
  const publishers = more === undefined
    ? sockets.filter((_, i) => i % options.clientsPerRoom < options.publishersPerRoom)
    : [];
  meter.trackMembers(sockets);
  return {
    meter,
    sockets,
    publishers,
    connectMs: result.connectMs,
    allReadyMs: result.allReadyMs,
    rooms,
  };
}

/**
 * Creates rooms through roomd's API with a presence mode, as an admin.
 *
 * @returns `null` when every room was created, else why not.
 */
async function createRooms(
  base: string,
  rooms: readonly string[],
  presence: string,
  secret: string,
): Promise<string | null> {
  const token = await mintToken(secret, { sub: "load-admin", admin: true }, "1h");
  const url = `${base.replace(/^ws/, "http")}/api/rooms`;
  for (const id of rooms) {
    const res = await fetch(url, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ id, presence }),
    });
    const body = await res.text();
    if (res.status !== 201) return `Cannot create room ${id}: ${res.status} ${body.slice(0, 200)}`;
  }
  return null;
}

/**
 * Closes every socket without counting the closes as the server's.
 *
 * @param meter The session's meter.
 * @param sockets The sockets.
 */
export function closeSockets(meter: DeliveryMeter, sockets: readonly WebSocket[]): void {
  meter.closingAll();
  for (const socket of sockets) socket.close();
}

function elapsed(since: number): string {
  return ((performance.now() - since) / 1000).toFixed(0);
}
