// The part of npm:ws that roomd's `ws` transport uses. @types/ws would bring @types/node's
// globals into every file (timers return `Timeout`, WebCrypto types clash), so this is local.
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { Buffer } from "node:buffer";

export declare class WebSocket {
  readonly bufferedAmount: number;
  readonly readyState: number;
  send(data: string | Uint8Array, options?: { binary?: boolean }): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
  ping(): void;
  emit(event: string, ...args: unknown[]): boolean;
  on(event: "message", listener: (this: this, data: Buffer, isBinary: boolean) => void): this;
  on(event: "ping" | "pong", listener: (this: this) => void): this;
  on(event: "error", listener: (this: this, error: Error & { code?: string }) => void): this;
  once(event: "close", listener: (this: this, code: number, reason: Buffer) => void): this;
}

export interface WebSocketServerOptions {
  noServer?: boolean;
  clientTracking?: boolean;
  perMessageDeflate?: boolean;
  maxPayload?: number;
  WebSocket?: typeof WebSocket;
  handleProtocols?: (protocols: Set<string>, request: IncomingMessage) => string | false;
}

export declare class WebSocketServer {
  constructor(options: WebSocketServerOptions);
  handleUpgrade(
    request: IncomingMessage,
    socket: Duplex,
    head: Uint8Array,
    callback: (ws: WebSocket, request: IncomingMessage) => void,
  ): void;
}
