import assert from "assert";
import { ConnectionLimits } from "../../src/limits/connection_limits.ts";

Deno.test("ConnectionLimits checks the total first, then the user, then the address", () => {
  const limits = new ConnectionLimits({
    maxConnections: 3,
    maxConnectionsPerUser: 2,
    maxConnectionsPerIp: 2,
  });
  assert.ok(limits.acquire("u1", "10.0.0.1").ok);
  assert.ok(limits.acquire("u1", "10.0.0.2").ok);
  const user = limits.acquire("u1", "10.0.0.3");
  assert.ok(!user.ok && user.status === 429 && /user has too many/.test(user.message));
  assert.ok(limits.acquire("u2", "10.0.0.1").ok);
  const total = limits.acquire("u3", "10.0.0.9");
  assert.ok(!total.ok && total.status === 503 && total.code === "server_full");
  assert.equal(limits.total, 3);
});

Deno.test("ConnectionLimits refuses an address at its limit whoever the user is", () => {
  const limits = new ConnectionLimits({
    maxConnections: 100,
    maxConnectionsPerUser: 100,
    maxConnectionsPerIp: 1,
  });
  assert.ok(limits.acquire("u1", "10.0.0.1").ok);
  const refused = limits.acquire("u2", "10.0.0.1");
  assert.ok(!refused.ok && refused.code === "too_many_connections");
  assert.match(refused.message, /address has too many connections \(1 of 1\)/);
  assert.ok(limits.acquire("u2", "10.0.0.2").ok);
});

Deno.test("ConnectionLimits release gives back the slot of that user at that address", () => {
  const limits = new ConnectionLimits({
    maxConnections: 2,
    maxConnectionsPerUser: 1,
    maxConnectionsPerIp: 1,
  });
  assert.ok(limits.acquire("u1", "10.0.0.1").ok);
  assert.ok(limits.acquire("u2", "10.0.0.2").ok);
  assert.ok(!limits.acquire("u3", "10.0.0.3").ok, "full");
  limits.release("u1", "10.0.0.1");
  assert.equal(limits.total, 1);
  assert.ok(!limits.acquire("u2", "10.0.0.3").ok, "u2 still holds its slot");
  assert.ok(!limits.acquire("u3", "10.0.0.2").ok, "10.0.0.2 still holds its slot");
  assert.ok(limits.acquire("u1", "10.0.0.1").ok, "u1 at 10.0.0.1 may come back");
  limits.release("u1", "10.0.0.1");
  limits.release("u2", "10.0.0.2");
  limits.release("u2", "10.0.0.2");
  assert.equal(limits.total, 0, "a release with nothing held does not go below zero");
  assert.ok(limits.acquire("u2", "10.0.0.2").ok);
});
