/**
 * Coalesced presence: the joins and leaves of one room within a tick, gathered by the room
 * actor and sent as one frame when the tick ends, so a join storm of n users costs each member
 * one frame per tick instead of n.
 *
 * @module
 */
import type { MemberInfo } from "../protocol/envelope.ts";
import type { PresenceMode } from "../store/types.ts";

/** The `data` of a presence frame. */
export interface PresenceData {
  /** Users who are present at the end of the tick and whose presence changed in it. */
  joins?: MemberInfo[];
  /** Users who are gone at the end of the tick and whose presence changed in it. */
  leaves?: MemberInfo[];
  /** Exact number of users present at the end of the tick. */
  count: number;
  /** When the tick holds one event only: what it was (the frame shape before coalescing). */
  action?: "join" | "leave";
  /** When the tick holds one event only: who. */
  user?: MemberInfo;
}

/** A frame to send at the end of a tick. */
export interface PresenceFrame {
  /** The frame's `user_id`: the user of a single-event tick, else `null`. */
  userId: string | null;
  /** Its `data`. */
  data: PresenceData;
  /** The user to skip: a single join is not announced to the joiner (its welcome lists it). */
  skipUser: string | null;
}

/** How one user's presence moved during the tick. */
interface Change {
  info: MemberInfo;
  /** Present when the tick began. */
  before: boolean;
  /** Present now. */
  present: boolean;
  /** The batch's read count when the state last left `before`. */
  readsAt: number;
  /** This user's own read count then: its own reads do not make it `seen`. */
  ownReadsAt: number;
  /** Reads of the member list by this user during the tick. */
  ownReads: number;
  /** Somebody read the room while this user's state differed from `before`. */
  seen: boolean;
}

/**
 * The presence events of one tick. A user is listed at most once per frame, by where the user
 * ended up: in `joins` when present at the end of the tick, in `leaves` when gone. A join and
 * a leave of the same user within one tick (or a leave and a join: a quick reconnect) cancel
 * out — unless another member read the room (a welcome or a `members` page) in between: that
 * member's list then shows the intermediate state, so the user is listed by the final one and
 * every member's list ends right. Clients apply `joins` and `leaves` as set updates.
 *
 * @example Two joins in one tick make one frame
 * ```ts
 * import assert from "assert";
 * import { PresenceBatch } from "./presence.ts";
 * const batch = new PresenceBatch();
 * batch.join({ id: "1", name: "ann" });
 * batch.join({ id: "2", name: "bob" });
 * const frame = batch.take("full", 2);
 * assert.deepEqual(frame?.data, { joins: [{ id: "1", name: "ann" }, { id: "2", name: "bob" }], leaves: [], count: 2 });
 * assert.ok(batch.take("full", 2) === null);
 * ```
 */
export class PresenceBatch {
  readonly #changes = new Map<string, Change>();
  #reads = 0;
  #announcedCount = -1;

  /** Whether the tick holds an event. */
  get pending(): boolean {
    return this.#changes.size > 0;
  }

  /**
   * Records a user's first connection.
   *
   * @param info The user.
   */
  join(info: MemberInfo): void {
    this.#move(info, true);
  }

  /**
   * Records a user's last connection closing.
   *
   * @param info The user.
   */
  leave(info: MemberInfo): void {
    this.#move(info, false);
  }

  /**
   * Records that a user was sent the room's members (a welcome or a `members` page).
   *
   * @param userId The reader.
   */
  noteRead(userId: string): void {
    this.#reads++;
    const change = this.#changes.get(userId);
    if (change) change.ownReads++;
  }

  /**
   * Ends the tick: the frame to send to every member, if any, and a fresh batch.
   *
   * @param mode The room's presence mode.
   * @param count Users present now.
   * @returns The frame, or `null` when there is nothing to send.
   */
  take(mode: PresenceMode, count: number): PresenceFrame | null {
    const joins: MemberInfo[] = [];
    const leaves: MemberInfo[] = [];
    for (const change of this.#changes.values()) {
      if (change.present === change.before && !change.seen) continue;
      (change.present ? joins : leaves).push(change.info);
    }
    this.#changes.clear();
    if (mode === "off") return null;
    if (mode === "count") {
      if (count === this.#announcedCount) return null;
      this.#announcedCount = count;
      return { userId: null, data: { count }, skipUser: null };
    }
    if (joins.length + leaves.length === 0) return null;
    const data: PresenceData = { joins, leaves, count };
    if (joins.length + leaves.length > 1) return { userId: null, data, skipUser: null };
    const user = joins[0] ?? leaves[0];
    data.action = joins.length === 1 ? "join" : "leave";
    data.user = user;
    return { userId: user.id, data, skipUser: data.action === "join" ? user.id : null };
  }

  #move(info: MemberInfo, present: boolean): void {
    const change = this.#changes.get(info.id);
    if (!change) {
      this.#changes.set(info.id, {
        info,
        before: !present,
        present,
        readsAt: this.#reads,
        ownReadsAt: 0,
        ownReads: 0,
        seen: false,
      });
      return;
    }
    change.info = info;
    change.present = present;
    if (present !== change.before) {
      change.readsAt = this.#reads;
      change.ownReadsAt = change.ownReads;
    } else if (this.#reads - change.readsAt > change.ownReads - change.ownReadsAt) {
      change.seen = true;
    }
  }
}
