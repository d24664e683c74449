import assert from "assert";
import { ASSETS_MODULE, buildAssets } from "../../src/pages/build.ts";
import { startServer } from "../_helpers/server.ts";

Deno.test("the committed page bundle is what `deno task bundle` builds from web/", async () => {
  const committed = await Deno.readTextFile(ASSETS_MODULE);
  assert.ok(
    committed === await buildAssets(),
    "src/pages/assets.gen.ts is stale: run `deno task bundle` and commit it",
  );
});

Deno.test("roomd serves the demo and admin pages and their assets itself", async () => {
  const server = await startServer();
  try {
    const expected: [string, RegExp, RegExp][] = [
      ["/", /^text\/html/, /<script type="module" src="\/assets\/demo\.js">/],
      ["/admin", /^text\/html/, /<script type="module" src="\/assets\/admin\.js">/],
      ["/assets/demo.js", /^text\/javascript/, /./],
      ["/assets/admin.js", /^text\/javascript/, /\/api\/stats/],
      ["/assets/style.css", /^text\/css/, /\.chat/],
    ];
    for (const [path, type, body] of expected) {
      const res = await server.request(path);
      assert.equal(res.status, 200, path);
      assert.match(res.headers.get("content-type") ?? "", type);
      assert.match(res.headers.get("content-security-policy") ?? "", /default-src 'self'/);
      const text = await res.text();
      assert.match(text, body, path);
      assert.doesNotMatch(
        text,
        /https?:\/\/(?!127\.0\.0\.1)[a-z]/i,
        `${path} loads nothing remote`,
      );
    }
  } finally {
    await server.close();
  }
});
