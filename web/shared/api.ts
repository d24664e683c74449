/// <reference lib="dom" />
/**
 * The pages' HTTP calls: JSON in and out, an error body turned into one readable line.
 *
 * @module
 */

/** An answer: the parsed body, or the error the page shows. */
export type ApiResult<T> = { ok: true; status: number; value: T } | {
  ok: false;
  status: number;
  code: string;
  message: string;
};

/**
 * Calls roomd's HTTP API.
 *
 * @param path Path and query, e.g. `/api/rooms`.
 * @param options Method, bearer token and JSON body.
 * @returns The parsed answer, or the server's `{error:{code,message}}` (or a network error).
 */
export async function callApi<T>(
  path: string,
  options: { method?: string; token?: string; body?: unknown; text?: boolean } = {},
): Promise<ApiResult<T>> {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers["content-type"] = "application/json";
  let response: Response;
  try {
    response = await fetch(path, {
      method: options.method ?? "GET",
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
  } catch (error) {
    return { ok: false, status: 0, code: "network", message: `Cannot reach roomd: ${error}` };
  }
  const text = await response.text();
  if (response.ok) {
    const value = options.text ? text : text === "" ? null : JSON.parse(text);
    return { ok: true, status: response.status, value: value as T };
  }
  try {
    const { error } = JSON.parse(text) as { error: { code: string; message: string } };
    return { ok: false, status: response.status, code: error.code, message: error.message };
  } catch {
    return { ok: false, status: response.status, code: `http_${response.status}`, message: text };
  }
}

/**
 * An element by id, typed.
 *
 * @param id The element's id.
 * @returns The element.
 */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`Cannot find #${id}`);
  return element as T;
}

/**
 * A new element with text (never HTML: names and messages come from users).
 *
 * @param tag Tag name.
 * @param text Its text.
 * @param className Its class.
 * @returns The element.
 */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  text = "",
  className = "",
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (text !== "") element.textContent = text;
  if (className !== "") element.className = className;
  return element;
}

/**
 * Shows an error line in a banner, or hides the banner.
 *
 * @param banner The banner element.
 * @param message The line, or `null` to hide it.
 * @param kind `error` (red) or `info`.
 */
export function showBanner(
  banner: HTMLElement,
  message: string | null,
  kind: "error" | "info" = "error",
): void {
  banner.textContent = message ?? "";
  banner.classList.toggle("hidden", message === null);
  banner.classList.toggle("info", kind === "info");
}

/**
 * Replaces an element's children unless what they show is unchanged, so that polling does not
 * swap a row under the user's pointer.
 *
 * @param container The element.
 * @param data What the children show (compared as JSON with the last drawing).
 * @param build Makes the children.
 */
export function redraw(container: HTMLElement, data: unknown, build: () => Node[]): void {
  const key = JSON.stringify(data);
  if (container.dataset.drawn === key) return;
  container.dataset.drawn = key;
  container.replaceChildren(...build());
}
