/// <reference lib="dom" />
/**
 * What the chat demo draws: the message log, the member list and the typing line.
 *
 * @module
 */
import { byId, el } from "../shared/api.ts";

/** A member as the welcome and presence frames list it. */
export interface Member {
  id: string;
  name: string;
}

/** A message as the log shows it. */
export interface LogMessage {
  id?: number;
  user_id: string | null;
  data: unknown;
  timestamp: string;
}

const TYPING_SHOWN_MS = 4000;

/** The message log: messages in id order, each id once, and event lines. */
export class MessageLog {
  readonly #list = byId<HTMLUListElement>("log");
  readonly #ids = new Set<number>();
  #me = "";
  #names = new Map<string, string>();

  /**
   * Starts a new conversation (another room or user).
   *
   * @param me The user's id.
   */
  reset(me: string): void {
    this.#me = me;
    this.#ids.clear();
    this.#list.replaceChildren();
  }

  /**
   * Learns display names, so history lines show names rather than ids.
   *
   * @param members Members seen.
   */
  learn(members: Member[]): void {
    for (const member of members) this.#names.set(member.id, member.name);
  }

  /**
   * Adds a message (a chat or system message) unless its id is already shown.
   *
   * @param message The message.
   * @returns Its line, or `null` when it was a duplicate.
   */
  add(message: LogMessage): HTMLLIElement | null {
    if (message.id !== undefined) {
      if (this.#ids.has(message.id)) return null;
      this.#ids.add(message.id);
    }
    const line = this.#line(message);
    // Lines still waiting for their ack stay last: their ids will be higher.
    const after = (message.id === undefined ? undefined : this.#firstAfter(message.id)) ??
      this.#list.querySelector("li.pending");
    if (after) this.#list.insertBefore(line, after);
    else this.#list.append(line);
    this.#scroll();
    return line;
  }

  /**
   * A line for a message of the user's still waiting for its ack.
   *
   * @param text The text sent.
   * @returns The line, to confirm or fail.
   */
  pending(text: string): HTMLLIElement {
    const line = this.#line({ user_id: this.#me, data: { text }, timestamp: "" });
    line.classList.add("pending");
    this.#list.append(line);
    this.#scroll();
    return line;
  }

  /**
   * Confirms a pending line with its id, moving it before any line with a higher id (a
   * duplicate from the live stream is then skipped).
   *
   * @param line The pending line.
   * @param id The acked id.
   * @param timestamp The acked time.
   */
  confirm(line: HTMLLIElement, id: number | undefined, timestamp: string): void {
    line.classList.remove("pending");
    if (id !== undefined) {
      line.dataset.id = String(id);
      this.#ids.add(id);
      const after = this.#firstAfter(id);
      if (after) this.#list.insertBefore(line, after);
    }
    line.querySelector(".when")!.textContent = clock(timestamp);
  }

  /**
   * Adds an event line (joins, leaves, connection changes).
   *
   * @param text The event.
   * @param className Extra class (`failed` for errors).
   */
  event(text: string, className = ""): void {
    this.#list.append(el("li", text, `event ${className}`.trim()));
    this.#scroll();
  }

  #line(message: LogMessage): HTMLLIElement {
    const mine = message.user_id === this.#me;
    const line = el("li", "", mine ? "mine" : "");
    if (message.id !== undefined) line.dataset.id = String(message.id);
    const who = message.user_id === null
      ? "server"
      : this.#names.get(message.user_id) ?? message.user_id;
    const text = (message.data as { text?: unknown } | null)?.text;
    line.append(
      el("span", who, "who"),
      el("span", typeof text === "string" ? text : JSON.stringify(message.data), "text"),
      el("span", clock(message.timestamp), "when"),
    );
    return line;
  }

  #firstAfter(id: number): Element | undefined {
    for (const line of this.#list.querySelectorAll<HTMLElement>("li[data-id]")) {
      if (Number(line.dataset.id) > id) return line;
    }
    return undefined;
  }

  #scroll(): void {
    this.#list.scrollTop = this.#list.scrollHeight;
  }
}

/** The member list. */
export class MemberList {
  readonly #members = new Map<string, string>();
  #me = "";

  /**
   * Replaces the list (a welcome).
   *
   * @param members Members present.
   * @param me The user's id.
   */
  set(members: Member[], me: string): void {
    this.#me = me;
    this.#members.clear();
    for (const member of members) this.#members.set(member.id, member.name);
    this.#draw();
  }

  /**
   * Applies joins and leaves.
   *
   * @param joins Users who joined.
   * @param leaves Users who left.
   */
  change(joins: Member[], leaves: Member[]): void {
    for (const member of joins) this.#members.set(member.id, member.name);
    for (const member of leaves) this.#members.delete(member.id);
    this.#draw();
  }

  /**
   * A member's display name.
   *
   * @param id The user id.
   * @returns The name, or the id when the user is not listed.
   */
  nameOf(id: string): string {
    return this.#members.get(id) ?? id;
  }

  #draw(): void {
    const sorted = [...this.#members].sort((a, b) => a[1].localeCompare(b[1]));
    byId("members").replaceChildren(
      ...sorted.map(([id, name]) => el("li", name, id === this.#me ? "me" : "")),
    );
    byId("member-count").textContent = `(${this.#members.size})`;
  }
}

/** The "… is typing" line: names shown for a few seconds after each signal. */
export class TypingLine {
  readonly #until = new Map<string, number>();
  #timer: ReturnType<typeof setTimeout> | undefined;

  /**
   * Records a typing signal.
   *
   * @param name Who.
   * @param on Whether they are typing (false when they sent or cleared).
   */
  signal(name: string, on: boolean): void {
    if (on) this.#until.set(name, Date.now() + TYPING_SHOWN_MS);
    else this.#until.delete(name);
    this.#draw();
  }

  #draw(): void {
    const now = Date.now();
    for (const [name, until] of this.#until) if (until <= now) this.#until.delete(name);
    const names = [...this.#until.keys()];
    byId("typing").textContent = names.length === 0
      ? ""
      : `${names.join(", ")} ${names.length === 1 ? "is" : "are"} typing…`;
    clearTimeout(this.#timer);
    if (names.length > 0) this.#timer = setTimeout(() => this.#draw(), 1000);
  }
}

function clock(timestamp: string): string {
  return timestamp === "" ? "sending…" : new Date(timestamp).toLocaleTimeString();
}
