/**
 * A WebSocket test client that queues what it receives and waits for it with a deadline.
 *
 * @module
 */

/** A server message as a test sees it. */
// deno-lint-ignore no-explicit-any -- tests read arbitrary fields of server messages
export type Msg = Record<string, any>;

/** How a socket closed. */
export interface CloseInfo {
  /** Close code. */
  code: number;
  /** Close reason. */
  reason: string;
}

/**
 * A connected client. `next()` returns messages in arrival order.
 */
export class TestClient {
  /** Every message received, in order. */
  readonly received: Msg[] = [];
  /** Settles when the socket closes. */
  readonly closed: Promise<CloseInfo>;
  readonly #socket: WebSocket;
  #cursor = 0;
  #wake: (() => void) | null = null;

  /** @param socket An open socket. */
  constructor(socket: WebSocket) {
    this.#socket = socket;
    const closed = Promise.withResolvers<CloseInfo>();
    this.closed = closed.promise;
    socket.onmessage = (event) => {
      this.received.push(JSON.parse(event.data));
      this.#wake?.();
    };
    socket.onclose = (event) => {
      closed.resolve({ code: event.code, reason: event.reason });
      this.#wake?.();
    };
  }

  /** The underlying socket. */
  get socket(): WebSocket {
    return this.#socket;
  }

  /**
   * Sends a JSON message (or a raw string / bytes as is).
   *
   * @param message What to send.
   */
  send(message: unknown): void {
    if (typeof message === "string" || message instanceof Uint8Array) this.#socket.send(message);
    else this.#socket.send(JSON.stringify(message));
  }

  /**
   * The next message (optionally the next one matching), waiting up to `timeoutMs`.
   *
   * @param match Skip messages until one satisfies this.
   * @param timeoutMs Deadline.
   * @returns The message.
   */
  async next(match: (m: Msg) => boolean = () => true, timeoutMs = 5000): Promise<Msg> {
    // performance.now(), not Date.now(): tests that fake Date must still time out.
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      while (this.#cursor < this.received.length) {
        const m = this.received[this.#cursor++];
        if (match(m)) return m;
      }
      const left = deadline - performance.now();
      if (left <= 0) {
        throw new Error(
          `Timed out waiting for a message; got ${JSON.stringify(this.received.slice(-3))}`,
        );
      }
      if (this.#socket.readyState === WebSocket.CLOSED) {
        throw new Error("Socket closed while waiting for a message");
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          this.#wake = null;
          resolve();
        };
      });
    }
  }

  /**
   * The next message of a type.
   *
   * @param type Message type.
   * @param timeoutMs Deadline.
   * @returns The message.
   */
  nextOfType(type: string, timeoutMs = 5000): Promise<Msg> {
    return this.next((m) => m.type === type, timeoutMs);
  }

  /**
   * Waits for the socket to close, up to `timeoutMs`.
   *
   * @param timeoutMs Deadline.
   * @returns Code and reason.
   */
  async waitClosed(timeoutMs = 5000): Promise<CloseInfo> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("Timed out waiting for close")), timeoutMs);
    });
    try {
      return await Promise.race([this.closed, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Closes with 1000 and waits for the close to complete. */
  async close(): Promise<void> {
    if (this.#socket.readyState === WebSocket.CLOSED) return;
    this.#socket.close(1000, "bye");
    await this.waitClosed();
  }
}

/**
 * Opens a WebSocket and waits for it to open (rejecting if the server refuses it).
 *
 * @param url ws:// URL.
 * @param headers Extra headers (Origin, Authorization).
 * @param protocols Subprotocols to offer (`Sec-WebSocket-Protocol`).
 * @returns The client, already open.
 */
export function openClient(
  url: string,
  headers: Record<string, string>,
  protocols?: string[],
): Promise<TestClient> {
  const socket = new WebSocket(url, { headers, protocols } as unknown as string[]);
  const client = new TestClient(socket);
  return new Promise((resolve, reject) => {
    socket.onopen = () => resolve(client);
    socket.onerror = () => reject(new Error(`Cannot connect to ${url}`));
  });
}
