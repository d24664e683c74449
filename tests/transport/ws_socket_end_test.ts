import assert from "assert";
import { Writable } from "node:stream";
import { endUnlessOver } from "../../src/transport/ws_socket.ts";

/** A stream with the transport's `end`, counting the calls that reach the stream's own `end`. */
function counted(): { stream: Writable; chunks: string[]; calls: () => number } {
  const chunks: string[] = [];
  let calls = 0;
  const stream = new Writable({
    write: (chunk, _encoding, done) => {
      chunks.push(String(chunk));
      done();
    },
  });
  const own = Writable.prototype.end as (...args: unknown[]) => Writable;
  const counting = Object.create(Writable.prototype, {
    end: {
      writable: true,
      value(this: Writable, ...args: unknown[]) {
        calls++;
        return own.apply(this, args);
      },
    },
  });
  Object.setPrototypeOf(stream, counting);
  stream.end = endUnlessOver as Writable["end"];
  return { stream, chunks, calls: () => calls };
}

const finished = (writable: Writable) =>
  new Promise<void>((resolve) => writable.once("finish", () => resolve()));

Deno.test("ending a stream the first time ends it, its last chunk written", async () => {
  const { stream, chunks, calls } = counted();
  const done = finished(stream);
  stream.end("last");
  await done;
  assert.deepEqual(chunks, ["last"]);
  assert.equal(calls(), 1);
});

Deno.test("ending a finished stream again does not reach it; with a callback it still reports", async () => {
  const { stream, calls } = counted();
  const done = finished(stream);
  stream.end();
  await done;
  assert.equal(stream.end(), stream);
  assert.equal(calls(), 1);
  const reported = await new Promise<Error | null | undefined>((resolve) => stream.end(resolve));
  assert.equal((reported as { code?: string })?.code, "ERR_STREAM_ALREADY_FINISHED");
  assert.equal(calls(), 2);
});

Deno.test("ending a destroyed stream does not reach it", () => {
  const { stream, calls } = counted();
  stream.destroy();
  assert.equal(stream.end(), stream);
  assert.equal(calls(), 0);
});
