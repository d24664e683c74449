/**
 * `deno task docs`: writes `docs/asyncapi.json` and `docs/openapi.json` as generated from the
 * default configuration (no declared types, dev mode off). A test compares them with
 * {@linkcode generatedDocs}.
 *
 * @module
 */
import { parseConfig } from "../config.ts";
import { buildAsyncApi } from "./asyncapi.ts";
import { buildOpenApi } from "./openapi.ts";

/**
 * The committed documents' text, by path from the repository root.
 *
 * @returns `docs/asyncapi.json` and `docs/openapi.json`, as JSON with two-space indents.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { generatedDocs } from "./write_docs.ts";
 * assert.ok(JSON.parse(generatedDocs()["docs/asyncapi.json"]).asyncapi === "3.0.0");
 * ```
 */
export function generatedDocs(): Record<string, string> {
  const config = parseConfig({});
  return {
    "docs/asyncapi.json": `${JSON.stringify(buildAsyncApi(config.customTypes), null, 2)}\n`,
    "docs/openapi.json": `${JSON.stringify(buildOpenApi(config), null, 2)}\n`,
  };
}

if (import.meta.main) {
  const root = new URL("../../", import.meta.url);
  await Deno.mkdir(new URL("docs/", root), { recursive: true });
  for (const [path, text] of Object.entries(generatedDocs())) {
    await Deno.writeTextFile(new URL(path, root), text);
    console.log(`Wrote ${path}`);
  }
}
