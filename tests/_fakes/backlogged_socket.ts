/**
 * A socket with a backlog, and a connection over any socket, for slow-consumer tests.
 *
 * @module
 */
import { rootLogger } from "../../src/log.ts";
import { Connection } from "../../src/ws/connection.ts";
import type { Socket } from "../../src/ws/socket.ts";

const encoder = new TextEncoder();

/**
 * A socket whose backlog grows by every frame's UTF-8 size and shrinks only when drained; it
 * records the frames, counts the readings of `bufferedAmount` and, like Deno's WebSocket,
 * drops frames once closed.
 */
export class BackloggedSocket implements Socket {
  /** 1 = open, 3 = closed. */
  readyState = 1;
  /** The close code, once closed. */
  closeCode: number | null = null;
  /** Frames received, in order. */
  readonly received: string[] = [];
  /** Readings of `bufferedAmount`. */
  backlogReads = 0;
  #backlog: number;

  /** @param backlog Bytes already queued. */
  constructor(backlog = 0) {
    this.#backlog = backlog;
  }

  /** The backlog; each reading is counted. */
  get bufferedAmount(): number {
    this.backlogReads++;
    return this.#backlog;
  }

  /** Queues a frame unless closed. */
  send(data: string): void {
    if (this.readyState !== 1) return;
    this.received.push(data);
    this.#backlog += encoder.encode(data).length;
  }

  /** Marks the socket closed. */
  close(code = 1000): void {
    this.closeCode = code;
    this.readyState = 3;
  }

  /**
   * The client reads until at most `bytes` remain queued.
   *
   * @param bytes Backlog left.
   */
  drainTo(bytes = 0): void {
    this.#backlog = Math.min(this.#backlog, bytes);
  }
}

/** What {@linkcode connectionOver} needs besides the socket. */
export interface TestConnectionOptions {
  /** User id. */
  userId?: string;
  /** Connection id (default `c-<user>`). */
  connectionId?: string;
  /** Largest backlog before 4408. */
  maxQueueBytes: number;
  /** Told when the connection is cut off. */
  onSlow?: (connection: Connection) => void;
}

/**
 * A connection of room `r` over a socket, with generous rate limits.
 *
 * @param socket The socket.
 * @param options User, cap and slow-consumer hook.
 * @returns The connection.
 */
export function connectionOver(socket: Socket, options: TestConnectionOptions): Connection {
  const userId = options.userId ?? "u";
  return new Connection({
    id: options.connectionId ?? `c-${userId}`,
    principal: { id: userId, name: userId, rooms: null, admin: false, expiresAt: Infinity },
    roomId: "r",
    ip: "127.0.0.1",
    socket,
    maxQueueBytes: options.maxQueueBytes,
    log: rootLogger(),
    onSlowConsumer: options.onSlow ?? (() => {}),
  });
}
