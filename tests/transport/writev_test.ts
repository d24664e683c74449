import assert from "assert";
import { enableVectoredWrites } from "../../src/transport/writev.ts";

Deno.test("the native transport turns vectored writes on unless DENO_USE_WRITEV says otherwise", () => {
  const before = Deno.env.get("DENO_USE_WRITEV");
  try {
    Deno.env.delete("DENO_USE_WRITEV");
    assert.equal(enableVectoredWrites(), true);
    assert.equal(Deno.env.get("DENO_USE_WRITEV"), "1");
    Deno.env.set("DENO_USE_WRITEV", "");
    assert.equal(enableVectoredWrites(), false);
    assert.equal(Deno.env.get("DENO_USE_WRITEV"), "");
  } finally {
    if (before === undefined) Deno.env.delete("DENO_USE_WRITEV");
    else Deno.env.set("DENO_USE_WRITEV", before);
  }
});
