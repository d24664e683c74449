import assert from "assert";
import { checkOrigin, normalizeOrigin } from "../../src/auth/origin.ts";
import { ServerOrigins } from "../../src/auth/server_origins.ts";

function from(origin: string | null, host = "127.0.0.1:8080"): Request {
  const headers: Record<string, string> = { host };
  if (origin !== null) headers.origin = origin;
  return new Request(`http://${host}/ws/lobby`, { headers });
}

function loopbackServer(port = 8080, options = {}): ServerOrigins {
  const origins = new ServerOrigins(options);
  assert.equal(origins.listening({ hostname: "127.0.0.1", port }), null);
  return origins;
}

Deno.test("normalizeOrigin() lower-cases, drops the default port and refuses opaque origins", () => {
  assert.equal(normalizeOrigin("HTTPS://Chat.Example:443"), "https://chat.example");
  assert.equal(normalizeOrigin("http://localhost:3000/"), "http://localhost:3000");
  assert.equal(normalizeOrigin("null"), null);
  assert.equal(normalizeOrigin("not a url"), null);
});

Deno.test("checkOrigin() refuses a missing, opaque or unparsable origin", () => {
  const origins = loopbackServer();
  assert.match(checkOrigin(from(null), origins)!, /Origin header is missing/);
  assert.match(checkOrigin(from("null"), origins)!, /origin "null" is not allowed/);
  assert.notEqual(checkOrigin(from("not a url"), origins), null);
});

Deno.test("a server bound to loopback accepts exactly its own loopback origins", async (t) => {
  const origins = loopbackServer();
  const allowed = (origin: string, host?: string) => checkOrigin(from(origin, host), origins);
  await t.step("127.0.0.1, localhost and [::1] on its port", () => {
    assert.equal(allowed("http://127.0.0.1:8080"), null);
    assert.equal(allowed("http://localhost:8080"), null);
    assert.equal(allowed("http://[::1]:8080"), null);
    assert.equal(allowed("http://LOCALHOST:8080"), null);
  });
  await t.step("another port or scheme is refused", () => {
    assert.notEqual(allowed("http://127.0.0.1:9090"), null);
    assert.notEqual(allowed("https://127.0.0.1:8080"), null);
    assert.notEqual(allowed("ws://127.0.0.1:8080"), null);
  });
  await t.step("a rebinding page whose Host matches its own origin is refused", () => {
    assert.notEqual(allowed("http://rebind.example:8080", "rebind.example:8080"), null);
  });
});

Deno.test("ROOMD_PUBLIC_ORIGINS adds to the loopback origins; ROOMD_ALLOWED_ORIGINS replaces them", () => {
  const pub = loopbackServer(8080, { publicOrigins: ["https://chat.example"] });
  assert.equal(checkOrigin(from("https://chat.example"), pub), null);
  assert.equal(checkOrigin(from("http://127.0.0.1:8080"), pub), null);
  assert.notEqual(checkOrigin(from("http://chat.example"), pub), null);
  const fixed = loopbackServer(8080, { allowedOrigins: ["https://app.example"] });
  assert.equal(checkOrigin(from("https://app.example"), fixed), null);
  assert.notEqual(checkOrigin(from("http://127.0.0.1:8080"), fixed), null);
});

Deno.test("a server bound to a wildcard address accepts only configured origins, and says so", () => {
  const bare = new ServerOrigins({});
  assert.match(bare.listening({ hostname: "0.0.0.0", port: 8080 })!, /Browsers cannot connect/);
  assert.notEqual(checkOrigin(from("http://127.0.0.1:8080"), bare), null);
  assert.notEqual(checkOrigin(from("http://0.0.0.0:8080"), bare), null);
  const pub = new ServerOrigins({ publicOrigins: ["https://chat.example"] });
  assert.equal(pub.listening({ hostname: "::", port: 8080 }), null);
  assert.equal(checkOrigin(from("https://chat.example"), pub), null);
  assert.notEqual(checkOrigin(from("http://[::1]:8080"), pub), null);
});

Deno.test("before it knows its address a server accepts only configured origins", () => {
  const origins = new ServerOrigins({ publicOrigins: ["https://chat.example"] });
  assert.notEqual(checkOrigin(from("http://127.0.0.1:8080"), origins), null);
  assert.equal(checkOrigin(from("https://chat.example"), origins), null);
});
