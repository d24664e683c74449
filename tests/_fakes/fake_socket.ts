/**
 * A socket that records what is sent to it, with no I/O.
 *
 * @module
 */
import type { Socket } from "../../src/ws/socket.ts";

/** Records frames; `bufferedAmount` can be set to simulate a slow reader. */
export class FakeSocket implements Socket {
  /** Frames sent, when recording. */
  readonly sent: string[] = [];
  /** Total characters sent. */
  bytes = 0;
  /** Frames sent. */
  count = 0;
  /** Simulated backlog. */
  bufferedAmount = 0;
  /** 1 = open. */
  readyState = 1;
  /** The close code, once closed. */
  closeCode: number | null = null;
  readonly #record: boolean;

  /** @param record Keep every frame (tests) or only count (benchmarks). */
  constructor(record = true) {
    this.#record = record;
  }

  /** Records a frame; like Deno's WebSocket, drops it once the socket is not open. */
  send(data: string): void {
    if (this.readyState !== 1) return;
    this.count++;
    this.bytes += data.length;
    if (this.#record) this.sent.push(data);
  }

  /** Marks the socket closed. */
  close(code = 1000): void {
    this.closeCode = code;
    this.readyState = 3;
  }

  /**
   * Frames parsed as JSON.
   *
   * @returns The messages, in order.
   */
  // deno-lint-ignore no-explicit-any -- tests read arbitrary fields of server messages
  messages(): Record<string, any>[] {
    return this.sent.map((frame) => JSON.parse(frame));
  }
}
