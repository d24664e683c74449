/**
 * Matching a URL path against a route's pattern. Patterns made only of literal segments and
 * `:name` segments (all of roomd's) are matched segment by segment; any other pattern through
 * `URLPattern`, whose `exec` cost tens of µs per call when a connection storm found the server
 * cold.
 *
 * @module
 */

/** The parameters of a matching path (percent-encoded as in the URL), or `null`. */
export type PathMatcher = (pathname: string) => Record<string, string | undefined> | null;

const LITERAL = /^[A-Za-z0-9_.~-]*$/;
const PARAMETER = /^:([A-Za-z_][A-Za-z0-9_]*)$/;

/**
 * Compiles a URLPattern pathname into a matcher that agrees with `URLPattern.exec` on
 * canonical paths (`URL.pathname`): a `:name` segment matches one non-empty segment.
 *
 * @param path E.g. `/api/rooms/:id/members`.
 * @returns The matcher.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { compilePath } from "./path_matcher.ts";
 * const match = compilePath("/ws/:room_id");
 * assert.deepEqual(match("/ws/lobby"), { room_id: "lobby" });
 * assert.equal(match("/ws/"), null);
 * assert.equal(match("/ws/lobby/x"), null);
 * ```
 */
export function compilePath(path: string): PathMatcher {
  const segments = path.split("/");
  const names = segments.map((segment) => PARAMETER.exec(segment)?.[1]);
  if (!segments.every((segment, i) => names[i] !== undefined || LITERAL.test(segment))) {
    const pattern = new URLPattern({ pathname: path });
    return (pathname) => pattern.exec({ pathname })?.pathname.groups ?? null;
  }
  return (pathname) => {
    const parts = pathname.split("/");
    if (parts.length !== segments.length) return null;
    const groups: Record<string, string | undefined> = {};
    for (let i = 0; i < parts.length; i++) {
      const name = names[i];
      if (name === undefined) {
        if (parts[i] !== segments[i]) return null;
      } else if (parts[i] === "") return null;
      else groups[name] = parts[i];
    }
    return groups;
  };
}
