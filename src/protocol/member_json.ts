/**
 * Members as JSON, each serialized once: a welcome lists up to `ROOMD_WELCOME_MEMBERS` members,
 * and in a join storm every newcomer's welcome lists nearly the same ones, so each member's
 * text is kept with its info object (while that object lives) and the list is joined from it.
 *
 * @module
 */
import type { SizedFrame } from "./codec.ts";
import type { MemberInfo } from "./envelope.ts";
import { utf8Length } from "./utf8_length.ts";

const serialized = new WeakMap<MemberInfo, SizedFrame>();

/**
 * A member's JSON and its UTF-8 size, made at the first call for this info object. The object
 * must not change afterwards (presence keeps one per member and never edits it).
 *
 * @param member The member.
 * @returns The same text as `JSON.stringify(member)`.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { memberJson } from "./member_json.ts";
 * const member = { id: "ana", name: "Ana" };
 * assert.equal(memberJson(member).text, JSON.stringify(member));
 * assert.ok(memberJson(member) === memberJson(member));
 * ```
 */
export function memberJson(member: MemberInfo): SizedFrame {
  let entry = serialized.get(member);
  if (entry === undefined) {
    const text = JSON.stringify(member);
    entry = { text, bytes: utf8Length(text) };
    serialized.set(member, entry);
  }
  return entry;
}

/**
 * A JSON array of members and its UTF-8 size, from each member's {@linkcode memberJson}.
 *
 * @param members The members, in order.
 * @returns The same text as `JSON.stringify(members)`.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { memberListJson } from "./member_json.ts";
 * const members = [{ id: "ana", name: "Ana" }, { id: "zoë", name: "Zoë" }];
 * const list = memberListJson(members);
 * assert.equal(list.text, JSON.stringify(members));
 * assert.equal(list.bytes, new TextEncoder().encode(list.text).length);
 * ```
 */
export function memberListJson(members: readonly MemberInfo[]): SizedFrame {
  const texts = new Array<string>(members.length);
  let bytes = members.length > 0 ? members.length + 1 : 2;
  for (let i = 0; i < members.length; i++) {
    const entry = memberJson(members[i]);
    texts[i] = entry.text;
    bytes += entry.bytes;
  }
  return { text: `[${texts.join(",")}]`, bytes };
}
