/**
 * What every room actor shares with the rest of the server.
 *
 * @module
 */
import type { Broker } from "../broker/broker.ts";
import type { RoomControl } from "../control/room_control.ts";
import type { Presence } from "../presence/presence.ts";
import type { Config } from "../config.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics/metrics.ts";
import type { TypeRegistry } from "../protocol/schemas.ts";
import type { Store } from "../store/types.ts";

/** Dependencies of a room actor, passed in (no globals). */
export interface RoomContext {
  /** Server configuration. */
  readonly config: Config;
  /** Rooms and history. */
  readonly store: Store;
  /** Publishing, fan-out between nodes and history. */
  readonly broker: Broker;
  /** Room changes between nodes. */
  readonly control: RoomControl;
  /** Who is in which room (every node), and capacity. */
  readonly presence: Presence;
  /** Counters and histograms. */
  readonly metrics: Metrics;
  /** Logger for the `room` category. */
  readonly log: Logger;
  /** Publishable message types. */
  readonly types: TypeRegistry;
}
