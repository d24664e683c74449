import assert from "assert";
import type { Page } from "playwright-core";
import { type ChildServer, startChild, stopChild } from "../_helpers/child_server.ts";
import { mintToken } from "../../src/auth/mint.ts";
import { TEST_SECRET } from "../_helpers/server.ts";
import { until } from "../_helpers/until.ts";
import { browserMissing, launchBrowser } from "./_browser.ts";

const ignore = browserMissing() !== undefined;
const options = { ignore, sanitizeOps: false, sanitizeResources: false };

/** A config file declaring the `typing` type as README's example does. */
async function typingConfig(dataDir: string): Promise<string> {
  const path = `${dataDir}/config.json`;
  const schema = { type: "object", properties: { on: { type: "boolean" } }, required: ["on"] };
  await Deno.writeTextFile(path, JSON.stringify({ types: { typing: { schema, max_bytes: 64 } } }));
  return path;
}

async function startDev(dataDir: string, port = 0): Promise<ChildServer> {
  return await startChild(
    {
      ROOMD_DATA_DIR: dataDir,
      ROOMD_DEV: "true",
      ROOMD_JWT_SECRET: TEST_SECRET,
      ROOMD_SHUTDOWN_TIMEOUT_MS: "2000",
      PORT: String(port),
    },
    30_000,
    ["--config", await typingConfig(dataDir)],
  );
}

async function withServer(run: (server: ChildServer, dataDir: string) => Promise<void>) {
  const dataDir = await Deno.makeTempDir({ prefix: "roomd-e2e-" });
  const server = await startDev(dataDir);
  try {
    await run(server, dataDir);
  } finally {
    await stopChild(server);
    await Deno.remove(dataDir, { recursive: true });
  }
}

/** {@linkcode withServer} with a browser, closed afterwards. */
function withBrowser(
  run: (server: ChildServer, browser: Awaited<ReturnType<typeof launchBrowser>>) => Promise<void>,
): Promise<void> {
  return withServer(async (server) => {
    const browser = await launchBrowser();
    try {
      await run(server, browser);
    } finally {
      await browser.close();
    }
  });
}

async function stateIs(page: Page, text: string): Promise<void> {
  const state = page.locator("#state");
  await until(async () => await state.textContent() === text, `state "${text}"`, 30_000);
}

async function joinDemo(page: Page, origin: string, name: string, room: string): Promise<void> {
  await page.goto(`${origin}/#${room}`);
  await page.fill("#name", name);
  await page.click("#join-button");
  await stateIs(page, "connected");
}

async function say(page: Page, text: string): Promise<void> {
  await page.fill("#text", text);
  await page.press("#text", "Enter");
  await page.locator("#log li[data-id]", { hasText: text }).waitFor();
}

/** The texts of the messages in the log, in the order shown. */
function messages(page: Page): Promise<string[]> {
  return page.$$eval("#log li[data-id] .text", (els) => els.map((e) => e.textContent ?? ""));
}

function memberNames(page: Page): Promise<string[]> {
  return page.$$eval("#members li", (els) => els.map((e) => e.textContent ?? ""));
}

Deno.test({
  name:
    "two demo pages chat with each other, see who is typing, and the member list updates when one leaves",
  ...options,
  fn: () =>
    withBrowser(async (server, browser) => {
      const ann = await browser.page("desktop");
      const bo = await browser.page("phone");
      await joinDemo(ann, server.origin, "Ann", "e2e-chat");
      await joinDemo(bo, server.origin, "Bo", "e2e-chat");
      await until(async () => (await memberNames(ann)).length === 2, "Bo in Ann's list", 20_000);
      assert.deepEqual(await memberNames(ann), ["Ann", "Bo"]);
      await ann.locator("#text").pressSequentially("hel");
      await bo.locator("#typing", { hasText: "Ann is typing…" }).waitFor();
      await ann.fill("#text", "");
      await say(ann, "hello from Ann");
      await bo.locator("#typing", { hasText: /^$/ }).waitFor({ state: "attached" });
      await bo.locator("#log li", { hasText: "hello from Ann" }).waitFor();
      await say(bo, "hi Ann, Bo here");
      await ann.locator("#log li", { hasText: "hi Ann, Bo here" }).waitFor();
      assert.deepEqual(await messages(ann), ["hello from Ann", "hi Ann, Bo here"]);
      assert.deepEqual(await messages(bo), ["hello from Ann", "hi Ann, Bo here"]);
      await browser.screenshot(ann, "demo-desktop");
      await browser.screenshot(bo, "demo-phone");
      await bo.click("#leave");
      await until(async () => (await memberNames(ann)).length === 1, "Bo gone", 20_000);
      assert.deepEqual(await memberNames(ann), ["Ann"]);
      await ann.locator("#log li.event", { hasText: "Bo left" }).waitFor();
    }),
});

Deno.test({
  name: "a demo page reconnects after a server restart and shows every message once, in order",
  ...options,
  fn: async () => {
    const dataDir = await Deno.makeTempDir({ prefix: "roomd-e2e-" });
    let server = await startDev(dataDir);
    const browser = await launchBrowser();
    try {
      const page = await browser.page("desktop");
      await joinDemo(page, server.origin, "Ann", "e2e-restart");
      await say(page, "before the restart");
      const { port } = server;
      server.kill("SIGTERM");
      await server.exited;
      await page.locator("#log li.event", { hasText: "Connection lost" }).first().waitFor();
      server = await startDev(dataDir, port);
      for (const text of ["while away 1", "while away 2"]) {
        await publishAsServer(server, "e2e-restart", text);
      }
      await stateIs(page, "connected");
      await page.locator("#log li.event", { hasText: "no messages missed" }).waitFor();
      await say(page, "after the restart");
      assert.deepEqual(await messages(page), [
        "before the restart",
        "while away 1",
        "while away 2",
        "after the restart",
      ]);
      const ids = await page.$$eval(
        "#log li[data-id]",
        (els) => els.map((e) => Number(e.getAttribute("data-id"))),
      );
      assert.ok(ids.every((id, i) => i === 0 || id > ids[i - 1]), `ids in order: ${ids}`);
    } finally {
      await browser.close();
      await stopChild(server);
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});

Deno.test({
  name: "a message that arrives while the user's own line waits for its ack is shown before it",
  ...options,
  fn: () =>
    withBrowser(async (server, browser) => {
      const page = await browser.page("desktop");
      let holding = false;
      const held: (string | Buffer)[] = [];
      let release = () => {};
      await page.routeWebSocket(/\/ws\//, (ws) => {
        const upstream = ws.connectToServer();
        ws.onMessage((frame) => upstream.send(frame));
        upstream.onMessage((frame) => holding ? held.push(frame) : ws.send(frame));
        release = () => {
          holding = false;
          for (const frame of held.splice(0)) ws.send(frame);
        };
      });
      await joinDemo(page, server.origin, "Ann", "e2e-pending");
      await say(page, "first");
      holding = true;
      await publishAsServer(server, "e2e-pending", "from the server");
      await page.fill("#text", "mine");
      await page.press("#text", "Enter");
      await page.locator("#log li.pending", { hasText: "mine" }).waitFor();
      await until(() => held.length >= 2, "the message and the ack held", 10_000);
      release();
      await page.locator("#log li[data-id]", { hasText: "mine" }).waitFor();
      await page.locator("#log li[data-id]", { hasText: "from the server" }).waitFor();
      assert.deepEqual(await messages(page), ["first", "from the server", "mine"]);
    }),
});

/** Publishes a `system` message into a room through the HTTP API, as the dev admin. */
async function publishAsServer(server: ChildServer, room: string, text: string): Promise<void> {
  const res = await fetch(`${server.origin}/api/rooms/${room}/messages`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${await adminToken(server)}`,
      "content-type": "application/json",
    },
    body: JSON.stringify({ type: "system", data: { text } }),
  });
  assert.equal(res.status, 201, await res.text());
}

/** The admin token dev mode logs just after start-up. */
async function adminToken(server: ChildServer): Promise<string> {
  const pattern = /admin token for \w+: ([\w.-]+)\)/;
  await until(() => server.lines.some((l) => pattern.test(l)), "the admin token line", 10_000);
  return pattern.exec(server.lines.find((l) => pattern.test(l))!)![1];
}

async function openAdmin(page: Page, server: ChildServer): Promise<void> {
  await page.goto(`${server.origin}/admin`);
  await page.fill("#token", await adminToken(server));
  await page.click("#login button[type=submit]");
  await page.locator("#stats .stat").first().waitFor();
}

Deno.test({
  name: "the admin page creates a private room, and the demo page is then refused",
  ...options,
  fn: () =>
    withBrowser(async (server, browser) => {
      const admin = await browser.page("desktop");
      await openAdmin(admin, server);
      await admin.fill("#room-form input[name=id]", "e2e-private");
      await admin.fill("#room-form input[name=name]", "Private room");
      await admin.check("#room-form input[name=is_private]");
      await admin.fill("#room-form input[name=members]", "someone-else");
      await admin.click("#room-save");
      await admin.locator("#rooms tr", { hasText: "e2e-private" }).waitFor();
      assert.ok(await admin.locator("#error").isHidden());
      await browser.screenshot(admin, "admin-desktop");
      const phone = await browser.page("phone");
      await openAdmin(phone, server);
      await phone.locator("#rooms tr", { hasText: "e2e-private" }).waitFor();
      await browser.screenshot(phone, "admin-phone");

      const demo = await browser.page("desktop");
      await demo.goto(`${server.origin}/#e2e-private`);
      await demo.fill("#name", "Ann");
      await demo.click("#join-button");
      const banner = demo.locator("#error");
      await banner.waitFor();
      assert.match(await banner.textContent() ?? "", /room is private/);
      await stateIs(demo, "not connected");
      await browser.screenshot(demo, "demo-refused");
      await admin.locator("#refused", { hasText: "forbidden: 1" }).waitFor();
    }),
});

Deno.test({
  name: "the admin page shows a room's members and history, publishes to it and disconnects a user",
  ...options,
  fn: () =>
    withBrowser(async (server, browser) => {
      const admin = await browser.page("desktop");
      await openAdmin(admin, server);
      await admin.fill("#room-form input[name=id]", "e2e-lobby");
      await admin.click("#room-save");
      const demo = await browser.page("phone");
      await joinDemo(demo, server.origin, "Ann", "e2e-lobby");
      await say(demo, "a message for the record");
      await admin.locator("#members tr", { hasText: "Ann" }).waitFor();
      await admin.locator("#history tr", { hasText: "a message for the record" }).waitFor();
      await admin.fill("#publish input[name=text]", "maintenance at noon");
      await admin.click("#publish button");
      await demo.locator("#log li", { hasText: "maintenance at noon" }).waitFor();
      await admin.locator("#members tr", { hasText: "Ann" }).getByText("Disconnect").click();
      await stateIs(demo, "not connected");
      assert.ok(await demo.locator("#error").isVisible());
      await admin.locator("#rooms tr", { hasText: "e2e-lobby" }).locator("td", { hasText: "yes" })
        .waitFor();
      assert.ok(await admin.locator("#error").isHidden());
      await browser.screenshot(demo, "demo-disconnected-phone");
    }),
});

Deno.test({
  name: "without dev mode the demo page asks for a token, and joins with a pasted one",
  ...options,
  fn: async () => {
    const dataDir = await Deno.makeTempDir({ prefix: "roomd-e2e-" });
    const server = await startChild({ ROOMD_DATA_DIR: dataDir, ROOMD_JWT_SECRET: TEST_SECRET });
    const browser = await launchBrowser();
    try {
      const page = await browser.page("phone");
      await page.goto(`${server.origin}/#e2e-token`);
      await page.locator("#token").waitFor();
      await page.fill("#name", "Ann");
      await page.fill("#token", await mintToken(TEST_SECRET, { sub: "42", name: "Ann" }, "1h"));
      await page.click("#join-button");
      await stateIs(page, "connected");
      assert.deepEqual(await memberNames(page), ["Ann"]);
    } finally {
      await browser.close();
      await stopChild(server);
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});
