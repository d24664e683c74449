import assert from "assert";
import { followServerOutput } from "./_helpers/child_server.ts";

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
      const server = followServerOutput(child.stderr);
      try {
        const res = await fetch(`http://127.0.0.1:${await server.port}/healthz`);
        assert.deepEqual(await res.json(), { status: "ok" });
      } finally {
        child.kill("SIGTERM");
        await child.status;
        await server.done;
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
