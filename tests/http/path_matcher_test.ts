import assert from "assert";
import fc from "fast-check";
import { compilePath } from "../../src/http/path_matcher.ts";

const PATTERNS = [
  "/ws/:room_id",
  "/api/connect/:room_id",
  "/api/rooms",
  "/api/rooms/:id",
  "/api/rooms/:id/members",
  "/api/rooms/:id/messages",
  "/healthz",
  "/",
];

/** What URLPattern makes of a path: the groups, or `null`. */
function reference(pattern: string, pathname: string) {
  return new URLPattern({ pathname: pattern }).exec({ pathname })?.pathname.groups ?? null;
}

const segment = fc.oneof(
  fc.constantFrom("", "ws", "api", "rooms", "connect", "members", "messages", "healthz", "lobby"),
  fc.string({ maxLength: 6 }),
  fc.constantFrom("%2F", "a%20b", "é", ".", "..", "x.y", "~u"),
);

Deno.test("the segment matcher agrees with URLPattern on canonical paths", () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...PATTERNS),
      fc.array(segment, { maxLength: 5 }),
      (pattern, parts) => {
        const pathname = new URL(`http://x/${parts.join("/")}`).pathname;
        assert.deepEqual(compilePath(pattern)(pathname), reference(pattern, pathname));
      },
    ),
    { numRuns: 2000 },
  );
});

Deno.test("a pattern the segment matcher does not cover is matched by URLPattern", () => {
  const match = compilePath("/files/:rest*");
  assert.deepEqual(match("/files/a/b"), { rest: "a/b" });
  assert.deepEqual(match("/files"), { rest: undefined });
});

Deno.test("every route pattern matches its own example and not its neighbours", () => {
  assert.deepEqual(compilePath("/api/rooms/:id")("/api/rooms/lobby"), { id: "lobby" });
  assert.equal(compilePath("/api/rooms/:id")("/api/rooms/lobby/members"), null);
  assert.equal(compilePath("/api/rooms/:id")("/api/rooms/"), null);
  assert.deepEqual(compilePath("/api/rooms")("/api/rooms"), {});
  assert.equal(compilePath("/api/rooms")("/api/rooms/"), null);
});
