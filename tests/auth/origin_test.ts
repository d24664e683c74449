import assert from "assert";
import { isOriginAllowed } from "../../src/auth/origin.ts";

function request(headers: Record<string, string>, url = "http://chat.example/ws/lobby"): Request {
  return new Request(url, { headers });
}

Deno.test("isOriginAllowed() refuses a request without an Origin header", () => {
  assert.equal(isOriginAllowed(request({ host: "chat.example" }), undefined), false);
  assert.equal(isOriginAllowed(request({ host: "chat.example" }), ["http://chat.example"]), false);
});

Deno.test("isOriginAllowed() refuses an opaque or unparsable origin", () => {
  assert.equal(
    isOriginAllowed(request({ host: "chat.example", origin: "null" }), undefined),
    false,
  );
  assert.equal(isOriginAllowed(request({ origin: "not a url" }), ["http://chat.example"]), false);
});

Deno.test("isOriginAllowed() without a list accepts the same host and port only", async (t) => {
  await t.step("same host", () => {
    const r = request({ host: "chat.example", origin: "http://chat.example" });
    assert.equal(isOriginAllowed(r, undefined), true);
  });
  await t.step("same host and explicit port", () => {
    const r = request({ host: "127.0.0.1:8080", origin: "http://127.0.0.1:8080" });
    assert.equal(isOriginAllowed(r, undefined), true);
  });
  await t.step("default port written out in Host", () => {
    const r = request({ host: "chat.example:443", origin: "https://chat.example" });
    assert.equal(isOriginAllowed(r, undefined), true);
  });
  await t.step("host differs only in case", () => {
    const r = request({ host: "Chat.Example", origin: "http://chat.example" });
    assert.equal(isOriginAllowed(r, undefined), true);
  });
  await t.step("other host", () => {
    const r = request({ host: "chat.example", origin: "http://evil.example" });
    assert.equal(isOriginAllowed(r, undefined), false);
  });
  await t.step("other port", () => {
    const r = request({ host: "127.0.0.1:8080", origin: "http://127.0.0.1:9090" });
    assert.equal(isOriginAllowed(r, undefined), false);
  });
  await t.step("Host header smuggling another host", () => {
    const r = request({ host: "x@evil.example", origin: "http://evil.example" });
    assert.equal(isOriginAllowed(r, undefined), false);
  });
});

Deno.test("isOriginAllowed() with a list needs an exact normalized match", async (t) => {
  const allowed = ["https://app.example", "http://localhost:3000/"];
  const check = (origin: string) =>
    isOriginAllowed(request({ host: "api.example", origin }), allowed);
  await t.step("listed origins", () => {
    assert.equal(check("https://app.example"), true);
    assert.equal(check("https://APP.example:443"), true);
    assert.equal(check("http://localhost:3000"), true);
  });
  await t.step("scheme, port or host differ", () => {
    assert.equal(check("http://app.example"), false);
    assert.equal(check("https://app.example:8443"), false);
    assert.equal(check("https://evil.app.example"), false);
    assert.equal(check("http://localhost:3001"), false);
  });
  await t.step("the request's own host is not implied", () => {
    assert.equal(check("http://api.example"), false);
  });
  await t.step("an empty list allows nothing", () => {
    const r = request({ host: "api.example", origin: "http://api.example" });
    assert.equal(isOriginAllowed(r, []), false);
  });
});
