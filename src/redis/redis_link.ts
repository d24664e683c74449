/**
 * One node's connections to Redis (a single server or a Cluster): commands, Lua scripts,
 * sharded pub/sub, and whether Redis answers right now. Every engine of the Redis seams goes
 * through this one link. Commands are never queued while Redis is away (the offline queue is
 * off): they fail at once, so a publish is answered `unavailable` instead of waiting silently.
 * Both connections reconnect by themselves with full-jitter backoff.
 *
 * @module
 */
import { createClient, createCluster } from "redis";
import type { Logger } from "../log.ts";
import { StoreError } from "../store/store_error.ts";
import { checkPersistence } from "./persistence_check.ts";

/** A reply of Redis as node-redis hands it over (RESP2). */
export type RedisReply = string | number | null | RedisReply[];

/** Options of {@linkcode RedisLink}. */
export interface RedisLinkOptions {
  /** `redis://` or `rediss://` URLs: one server, or a cluster's seed list. */
  urls: string[];
  /** Treat `urls` as the seeds of a Redis Cluster. */
  cluster: boolean;
  /** Where connection trouble and the persistence warning are logged. */
  log: Logger;
  /** How often Redis is pinged to tell readiness, in ms (default 1000). */
  probeMs?: number;
}

/** A Lua script, run by its SHA-1 and loaded on the first `NOSCRIPT`. */
export class LuaScript {
  /** The script's source. */
  readonly source: string;
  #sha: Promise<string> | undefined;

  /** @param source Lua source. */
  constructor(source: string) {
    this.source = source;
  }

  /** The script's SHA-1, as `EVALSHA` wants it. */
  sha(): Promise<string> {
    this.#sha ??= crypto.subtle.digest("SHA-1", new TextEncoder().encode(this.source)).then(
      (digest) =>
        Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join(""),
    );
    return this.#sha;
  }
}

/** Waits before the `retries`-th reconnect: full jitter over a doubling cap of 5 s. */
export function reconnectDelay(retries: number): number {
  return Math.floor(Math.random() * Math.min(5000, 50 * 2 ** Math.min(retries, 12)));
}

type Client = ReturnType<typeof createClient>;
type Cluster = ReturnType<typeof createCluster>;
type MessageListener = (message: string) => void;

/**
 * A node's Redis: one command connection (or cluster), one pub/sub connection.
 *
 * @example
 * ```ts ignore
 * const link = new RedisLink({ urls: ["redis://127.0.0.1:6379"], cluster: false, log });
 * await link.command(["SET", "k", "v"], "k");
 * await link.close();
 * ```
 */
export class RedisLink {
  readonly #log: Logger;
  readonly #cluster: boolean;
  readonly #commands: Client | Cluster;
  readonly #subscriber: Client | Cluster;
  readonly #reconnectListeners = new Set<() => void>();
  readonly #probe: ReturnType<typeof setInterval>;
  #failure: Error | null = new Error("not connected to Redis yet");
  #closed = false;

  /** @param options URLs, cluster mode, logger. */
  constructor(options: RedisLinkOptions) {
    this.#log = options.log;
    this.#cluster = options.cluster;
    const socket = { reconnectStrategy: reconnectDelay, connectTimeout: 2000 };
    if (options.cluster) {
      const cluster = createCluster({
        rootNodes: options.urls.map((url) => ({ url })),
        defaults: { disableOfflineQueue: true, socket },
      });
      this.#commands = this.#subscriber = cluster;
      cluster.on("node-ready", () => this.#ready());
    } else {
      const client = createClient({ url: options.urls[0], disableOfflineQueue: true, socket });
      this.#commands = client;
      this.#subscriber = client.duplicate();
      client.on("ready", () => this.#ready());
      this.#subscriber.on("ready", () => this.#tellReconnected());
    }
    for (const side of new Set([this.#commands, this.#subscriber])) {
      // Without an error listener node-redis stops reconnecting.
      side.on("error", (error: Error) => this.#down(error));
      side.connect().catch((error: Error) => this.#down(error));
    }
    this.#probe = setInterval(() => void this.#ping(), options.probeMs ?? 1000);
  }

  /** Why Redis cannot be used right now, or `null` while it answers. */
  get failure(): Error | null {
    return this.#failure;
  }

  /**
   * Tells `listener` whenever the pub/sub connection (re)connects: messages published while
   * it was away are lost, so subscribers backfill from history.
   *
   * @param listener Called after each (re)connection.
   * @returns A function that stops telling it.
   */
  onReconnect(listener: () => void): () => void {
    this.#reconnectListeners.add(listener);
    return () => this.#reconnectListeners.delete(listener);
  }

  /**
   * Runs a command.
   *
   * @param args The command and its arguments.
   * @param key A key of the command, which picks the cluster shard (ignored on one server).
   * @returns The reply; rejects with a {@linkcode StoreError} at once when Redis is away (or
   *   refuses the command), so that callers treat it as any storage failure.
   */
  async command(args: string[], key?: string): Promise<RedisReply> {
    try {
      const commands = this.#commands;
      const reply = this.#cluster
        ? await (commands as Cluster).sendCommand(key, false, args)
        : await (commands as Client).sendCommand(args);
      return reply as unknown as RedisReply;
    } catch (error) {
      this.#noteError(error);
      throw StoreError.from(`Cannot run ${args[0]} on Redis`, error);
    }
  }

  /**
   * Runs a Lua script by SHA-1, loading it when Redis does not know it yet.
   *
   * @param script The script.
   * @param keys Its keys (all in one hash slot on a cluster).
   * @param args Its arguments.
   * @returns The script's reply.
   */
  async eval(script: LuaScript, keys: string[], args: string[]): Promise<RedisReply> {
    const tail = [String(keys.length), ...keys, ...args];
    try {
      return await this.command(["EVALSHA", await script.sha(), ...tail], keys[0]);
    } catch (error) {
      if (!String((error as Error).message).includes(": NOSCRIPT")) throw error;
      return await this.command(["EVAL", script.source, ...tail], keys[0]);
    }
  }

  /**
   * Subscribes to a sharded channel (`SSUBSCRIBE`); on a cluster, on the channel's shard.
   *
   * @param channel The channel (with the hash tag of the room it belongs to).
   * @param listener Told each message.
   */
  async sSubscribe(channel: string, listener: MessageListener): Promise<void> {
    await this.#subscriber.sSubscribe(channel, listener);
  }

  /**
   * Stops a sharded subscription.
   *
   * @param channel The channel.
   */
  async sUnsubscribe(channel: string): Promise<void> {
    if (!this.#subscriber.isOpen) return;
    await this.#subscriber.sUnsubscribe(channel);
  }

  /**
   * Publishes to a sharded channel.
   *
   * @param channel The channel.
   * @param message The message.
   */
  async sPublish(channel: string, message: string): Promise<void> {
    await this.command(["SPUBLISH", channel, message], channel);
  }

  /** Stops probing and closes both connections. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#probe);
    for (const side of new Set([this.#subscriber, this.#commands])) {
      try {
        if (side.isOpen) await side.close();
        else side.destroy();
      } catch {
        side.destroy();
      }
    }
  }

  async #ping(): Promise<void> {
    if (this.#closed) return;
    try {
      await this.command(["PING"]);
      if (this.#failure !== null) {
        this.#failure = null;
        this.#log.info("Redis answers again; ready");
      }
    } catch {
      // #noteError has recorded it.
    }
  }

  #ready(): void {
    if (this.#closed) return;
    void this.#ping();
    void checkPersistence((args) => this.command(args), this.#log);
    if (this.#subscriber === this.#commands) this.#tellReconnected();
  }

  #tellReconnected(): void {
    for (const listener of this.#reconnectListeners) listener();
  }

  #down(error: Error): void {
    if (this.#closed) return;
    this.#noteError(error);
  }

  #noteError(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    // A script's own refusal is an answer, not Redis being away.
    if (/^(NOSCRIPT|ERR |WRONGTYPE)/.test(message)) return;
    if (this.#failure === null) {
      this.#log.warn("Cannot reach Redis: {error}; not ready until it answers", { error: message });
    }
    this.#failure = error instanceof Error ? error : new Error(message);
  }
}
