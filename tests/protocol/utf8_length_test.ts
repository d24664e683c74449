import assert from "assert";
import { utf8Length } from "../../src/protocol/utf8_length.ts";

Deno.test("utf8Length() counts UTF-8 bytes like TextEncoder, short, long and very long", () => {
  const encoder = new TextEncoder();
  const samples = [
    "",
    "abc",
    "é",
    "日本語",
    "👍🏽",
    "a\u0000b",
    "\ud800x",
    "\ud800é",
    "\udc00",
    "x\ud800",
  ];
  for (const sample of samples) {
    for (const repeat of [1, 40, 3_000, 20_000]) {
      const text = sample.repeat(repeat);
      assert.equal(
        utf8Length(text),
        encoder.encode(text).length,
        `${JSON.stringify(sample)} × ${repeat}`,
      );
    }
  }
});
