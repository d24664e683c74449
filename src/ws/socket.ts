/**
 * The neutral socket roomd writes to: the part of `WebSocket` it needs, so that connection and
 * room logic run against fakes in unit tests and benchmarks.
 *
 * @module
 */

/** What roomd needs of a WebSocket. */
export interface Socket {
  /** Queues a text frame. */
  send(data: string): void;
  /** Starts the closing handshake. */
  close(code?: number, reason?: string): void;
  /** Bytes queued but not yet written to the network. */
  readonly bufferedAmount: number;
  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  readonly readyState: number;
}

/** `readyState` of an open socket. */
export const OPEN = 1;
