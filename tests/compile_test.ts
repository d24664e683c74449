import assert from "assert";

const ROOT = new URL("..", import.meta.url).pathname;
const denort = Deno.env.get("DENORT_BIN");

Deno.test({
  name: "deno task compile builds a single binary that serves /healthz (needs DENORT_BIN)",
  ignore: !denort,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "roomd-compile-" });
    try {
      const output = `${ROOT}dist/roomd`;
      const build = await new Deno.Command(Deno.execPath(), {
        args: ["task", "compile"],
        cwd: ROOT,
        env: { DENORT_BIN: denort! },
      }).output();
      assert.equal(build.code, 0, new TextDecoder().decode(build.stderr));
      const child = new Deno.Command(output, {
        env: { PORT: "0", ROOMD_DATA_DIR: `${dir}/data`, ROOMD_LOG_FORMAT: "json" },
        stderr: "piped",
        stdout: "null",
      }).spawn();
      try {
        const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
        let text = "";
        let port = 0;
        while (!port) {
          const { value, done } = await reader.read();
          if (done) throw new Error(`binary exited:\n${text}`);
          text += value;
          port = Number(/listening on http:\/\/[^:]+:(\d+)/.exec(text)?.[1] ?? 0);
        }
        const res = await fetch(`http://127.0.0.1:${port}/healthz`);
        assert.deepEqual(await res.json(), { status: "ok" });
        reader.releaseLock();
        await child.stderr.cancel();
      } finally {
        child.kill("SIGTERM");
        await child.status;
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
