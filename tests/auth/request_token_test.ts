import assert from "assert";
import { offeredSubprotocols, tokenFromRequest } from "../../src/auth/request_token.ts";

function find(url: string, headers: Record<string, string> = {}) {
  const request = new Request(url, { headers });
  return tokenFromRequest(request, new URL(request.url));
}

Deno.test("tokenFromRequest() reads the token query parameter", () => {
  assert.deepEqual(find("http://localhost/ws/lobby?token=abc.def.ghi"), {
    token: "abc.def.ghi",
    source: "query",
  });
});

Deno.test("tokenFromRequest() reads the roomd.token. subprotocol entry", () => {
  assert.deepEqual(
    find("http://localhost/", { "sec-websocket-protocol": "roomd, roomd.token.t" }),
    {
      token: "t",
      source: "subprotocol",
    },
  );
  assert.equal(
    find("http://localhost/", { "sec-websocket-protocol": "roomd, roomd.token." }),
    null,
  );
});

Deno.test("tokenFromRequest() prefers the header, then the subprotocol, then the query", () => {
  const all = {
    authorization: "Bearer h",
    "sec-websocket-protocol": "roomd,roomd.token.p",
  };
  assert.equal(find("http://localhost/ws/lobby?token=q", all)?.source, "header");
  const { authorization: _, ...noHeader } = all;
  assert.equal(find("http://localhost/ws/lobby?token=q", noHeader)?.token, "p");
});

Deno.test("tokenFromRequest() reads a Bearer header in any case", () => {
  assert.equal(find("http://localhost/", { authorization: "Bearer abc" })?.token, "abc");
  assert.equal(find("http://localhost/", { authorization: "bearer abc" })?.token, "abc");
  assert.equal(find("http://localhost/", { authorization: "BEARER  abc " })?.token, "abc");
  assert.equal(find("http://localhost/?token=", { authorization: "Bearer abc" })?.token, "abc");
});

Deno.test("tokenFromRequest() falls back to the query when the header is not a Bearer token", () => {
  assert.deepEqual(find("http://localhost/?token=q", { authorization: "Basic YTpi" }), {
    token: "q",
    source: "query",
  });
});

Deno.test("tokenFromRequest() returns null without a usable token", () => {
  assert.equal(find("http://localhost/"), null);
  assert.equal(find("http://localhost/?token="), null);
  assert.equal(find("http://localhost/", { authorization: "Basic YTpi" }), null);
  assert.equal(find("http://localhost/", { authorization: "Bearer" }), null);
  assert.equal(find("http://localhost/", { authorization: "Bearer a b" }), null);
});

Deno.test("offeredSubprotocols() lists the offered entries in order, trimmed", () => {
  const request = new Request("http://localhost/", {
    headers: { "sec-websocket-protocol": " roomd ,, roomd.token.x" },
  });
  assert.deepEqual(offeredSubprotocols(request), ["roomd", "roomd.token.x"]);
  assert.deepEqual(offeredSubprotocols(new Request("http://localhost/")), []);
});
