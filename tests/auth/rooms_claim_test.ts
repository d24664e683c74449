import assert from "assert";
import type { Principal } from "../../src/auth/principal.ts";
import { mayJoinRoom } from "../../src/auth/rooms_claim.ts";

function withRooms(rooms: string[] | null): Principal {
  return { id: "7", name: "ann", rooms, admin: false, expiresAt: 0 };
}

Deno.test("mayJoinRoom() allows any room when the rooms claim is absent", () => {
  assert.equal(mayJoinRoom(withRooms(null), "anything"), true);
});

Deno.test("mayJoinRoom() allows exact entries only, without a wildcard", () => {
  const user = withRooms(["lobby", "team-1"]);
  assert.equal(mayJoinRoom(user, "lobby"), true);
  assert.equal(mayJoinRoom(user, "team-1"), true);
  assert.equal(mayJoinRoom(user, "lobby2"), false);
  assert.equal(mayJoinRoom(user, "team-1:general"), false);
  assert.equal(mayJoinRoom(user, "Lobby"), false);
});

Deno.test("mayJoinRoom() matches a trailing * as a prefix", () => {
  const user = withRooms(["team-1:*"]);
  assert.equal(mayJoinRoom(user, "team-1:general"), true);
  assert.equal(mayJoinRoom(user, "team-1:"), true);
  assert.equal(mayJoinRoom(user, "team-1"), false);
  assert.equal(mayJoinRoom(user, "team-10:general"), false);
});

Deno.test("mayJoinRoom() treats a * before the end as an ordinary character", () => {
  const user = withRooms(["a*b"]);
  assert.equal(mayJoinRoom(user, "a*b"), true);
  assert.equal(mayJoinRoom(user, "axxb"), false);
});

Deno.test("mayJoinRoom() allows nothing with an empty list, everything with a lone *", () => {
  assert.equal(mayJoinRoom(withRooms([]), "lobby"), false);
  assert.equal(mayJoinRoom(withRooms(["*"]), "lobby"), true);
});
