import assert from "assert";
import { tokenFromRequest } from "../../src/auth/request_token.ts";

function find(url: string, headers: Record<string, string> = {}): string | null {
  const request = new Request(url, { headers });
  return tokenFromRequest(request, new URL(request.url));
}

Deno.test("tokenFromRequest() reads the token query parameter", () => {
  assert.equal(find("http://localhost/ws/lobby?token=abc.def.ghi"), "abc.def.ghi");
});

Deno.test("tokenFromRequest() prefers the query parameter over the header", () => {
  assert.equal(find("http://localhost/ws/lobby?token=q", { authorization: "Bearer h" }), "q");
});

Deno.test("tokenFromRequest() reads a Bearer header in any case", () => {
  assert.equal(find("http://localhost/", { authorization: "Bearer abc" }), "abc");
  assert.equal(find("http://localhost/", { authorization: "bearer abc" }), "abc");
  assert.equal(find("http://localhost/", { authorization: "BEARER  abc " }), "abc");
  assert.equal(find("http://localhost/?token=", { authorization: "Bearer abc" }), "abc");
});

Deno.test("tokenFromRequest() returns null without a usable token", () => {
  assert.equal(find("http://localhost/"), null);
  assert.equal(find("http://localhost/?token="), null);
  assert.equal(find("http://localhost/", { authorization: "Basic YTpi" }), null);
  assert.equal(find("http://localhost/", { authorization: "Bearer" }), null);
  assert.equal(find("http://localhost/", { authorization: "Bearer a b" }), null);
});
