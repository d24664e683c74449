import { startChild, stopChild } from "./tests/_helpers/child_server.ts";
import { launchBrowser } from "./tests/e2e/_browser.ts";
const dir = await Deno.makeTempDir();
const server = await startChild({ ROOMD_DATA_DIR: dir, ROOMD_DEV: "true" }, 30000);
const b = await launchBrowser();
const p = await b.page("desktop");
await p.goto(server.origin + "/#lobby");
await p.fill("#name", "Ann");
await p.click("#join-button");
await new Promise((r) => setTimeout(r, 2000));
for (const sel of [".conversation", "#log", "#typing", "#composer", "main", "body"]) {
  console.log(sel, JSON.stringify(await p.locator(sel).boundingBox()));
}
await b.close();
await stopChild(server);
