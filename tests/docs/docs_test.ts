import assert from "assert";
import { generatedDocs } from "../../src/docs/write_docs.ts";
import { startServer } from "../_helpers/server.ts";

const TYPES = {
  typing: { schema: { type: "object", properties: { on: { type: "boolean" } } }, max_bytes: 64 },
};

Deno.test("the committed docs/ files are what `deno task docs` generates", async () => {
  const root = new URL("../../", import.meta.url);
  for (const [path, text] of Object.entries(generatedDocs())) {
    const committed = await Deno.readTextFile(new URL(path, root));
    assert.ok(committed === text, `${path} is stale: run \`deno task docs\` and commit it`);
  }
});

Deno.test("GET /asyncapi.json describes every frame and the configured custom types", async () => {
  const server = await startServer({}, { types: TYPES });
  try {
    const res = await server.request("/asyncapi.json");
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
    const doc = await res.json();
    assert.equal(doc.asyncapi, "3.0.0");
    const messages = Object.keys(doc.components.messages);
    for (const name of ["client.chat", "client.history", "client.typing", "server.typing"]) {
      assert.ok(messages.includes(name), `${name} in ${messages}`);
    }
    for (const name of ["welcome", "chat", "system", "ack", "presence", "history", "error"]) {
      assert.ok(messages.includes(`server.${name}`), `server.${name}`);
    }
    const typing = doc.components.messages["client.typing"].payload.schema;
    assert.deepEqual(typing.properties.data, TYPES.typing.schema);
    const chat = doc.components.messages["client.chat"].payload.schema;
    assert.equal(chat.properties.data.properties.text.maxLength, 4000);
  } finally {
    await server.close();
  }
});

Deno.test("GET /openapi.json lists the routes, and the dev token route only in dev mode", async () => {
  for (const dev of [false, true]) {
    const server = await startServer({ ROOMD_DEV: String(dev) }, { types: TYPES });
    try {
      const doc = await (await server.request("/openapi.json")).json();
      assert.equal(doc.openapi, "3.1.0");
      for (const path of ["/api/rooms", "/api/rooms/{id}", "/api/rooms/{id}/messages"]) {
        assert.ok(path in doc.paths, path);
      }
      assert.equal("/api/dev/token" in doc.paths, dev);
      const publish = doc.paths["/api/rooms/{id}/messages"].post.requestBody.content;
      const kinds = publish["application/json"].schema.oneOf.map(
        (s: { properties: { type: { const: string } } }) => s.properties.type.const,
      );
      assert.deepEqual(kinds, ["system", "typing"]);
    } finally {
      await server.close();
    }
  }
});
