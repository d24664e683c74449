/**
 * Debian's Chromium driven by playwright-core, for the browser tests. Never downloads a
 * browser: without /usr/bin/chromium the tests are ignored (with the reason printed), except
 * under `CI=true`, where they run and fail.
 *
 * @module
 */
import { type BrowserContext, chromium, type Page } from "playwright-core";

/** The browser the tests drive. */
export const CHROMIUM = "/usr/bin/chromium";

/** Where screenshots go (ignored by git). */
export const OUTPUT_DIR = new URL("./__output__/", import.meta.url);

/** Window sizes the pages must work at. */
export const SIZES = {
  phone: { width: 390, height: 844 },
  desktop: { width: 1280, height: 800 },
} as const;

const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-quic",
  "--no-first-run",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * Why the browser tests cannot run here, or `undefined` when they can (or must: `CI=true`).
 *
 * @returns The reason to ignore them.
 */
export function browserMissing(): string | undefined {
  if (Deno.env.get("CI") === "true") return undefined;
  try {
    Deno.statSync(CHROMIUM);
    return undefined;
  } catch {
    const reason = `${CHROMIUM} not found (apt-get install chromium)`;
    console.warn(`Browser tests ignored: ${reason}`);
    return reason;
  }
}

/** A browser with a fresh profile. */
export interface Browser {
  /** Opens a page at a size. */
  page(size: keyof typeof SIZES): Promise<Page>;
  /** Saves a screenshot under `tests/e2e/__output__/`. */
  screenshot(page: Page, name: string): Promise<void>;
  /** Closes the browser and removes its profile. */
  close(): Promise<void>;
}

/**
 * Starts Chromium headless with a fresh `--user-data-dir`.
 *
 * @returns The browser.
 */
export async function launchBrowser(): Promise<Browser> {
  const profile = await Deno.makeTempDir({ prefix: "roomd-chromium-" });
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      args: ARGS,
      timeout: 60_000,
    });
  } catch (error) {
    await Deno.remove(profile, { recursive: true });
    throw error;
  }
  context.setDefaultTimeout(20_000);
  await Deno.mkdir(OUTPUT_DIR, { recursive: true });
  return {
    async page(size) {
      const page = await context.newPage();
      await page.setViewportSize(SIZES[size]);
      return page;
    },
    async screenshot(page, name) {
      await page.screenshot({ path: new URL(`${name}.png`, OUTPUT_DIR).pathname, fullPage: false });
    },
    async close() {
      await context.close();
      await Deno.remove(profile, { recursive: true });
    },
  };
}
