/**
 * The server's metrics: Prometheus exposition for `GET /metrics` and the JSON of
 * `GET /api/stats`.
 *
 * @module
 */
import { Registry } from "prom-client";
import { LocalHistogram } from "./local_histogram.ts";
import { counterTally, gauge, histogram, PREFIX } from "./instruments.ts";
import { EventLoopLagSampler } from "./event_loop_lag.ts";
import { registerProcessMetrics } from "./process_metrics.ts";
import { RateWindow } from "./rate_window.ts";
import { RoomRates } from "./room_rates.ts";
import { BROADCAST_BUCKETS, ROOM_MEMBER_BUCKETS, STORE_WRITE_BUCKETS } from "./buckets.ts";
import {
  FIVE_MINUTES_MS,
  type MetricsOptions,
  type RoomSample,
  round3,
  type Stats,
  windowRates,
} from "./stats.ts";

export type { RoomRate } from "./room_rates.ts";
export type { MetricsOptions, RoomSample, Stats, WindowRates } from "./stats.ts";

const BUSIEST_ROOMS = 10;

/**
 * Counters, gauges and histograms of one server, on a registry of its own. Methods called per
 * message cost a few additions and at most two `Map` lookups: counts go into plain numbers and
 * reach prom-client in {@linkcode Metrics.render}. Room figures are read from the room source
 * only at scrape time. Starts an unref'd event-loop lag sampler; call
 * {@linkcode Metrics.close} when done.
 *
 * `roomd_room_members` is a histogram rebuilt at every scrape from the rooms that exist then,
 * so its buckets can go down: query it with `histogram_quantile()` directly, not over `rate()`.
 * That keeps one series per bucket however many rooms come and go (a gauge per room would
 * create a series per room id).
 *
 * @example Count a message and render
 * ```ts
 * import assert from "assert";
 * import { Metrics } from "./metrics.ts";
 * const metrics = new Metrics({ collectProcess: false });
 * metrics.messageReceived("chat", "lobby", 42);
 * const text = await metrics.render();
 * assert.ok(text.includes('roomd_messages_received_total{type="chat"} 1'));
 * metrics.close();
 * ```
 */
export class Metrics {
  /** Content type of {@linkcode Metrics.render}'s output. */
  readonly contentType: string;
  readonly #registry = new Registry();
  readonly #now: () => number;
  readonly #startMs: number;
  readonly #tallies: Array<{ flush(): void }> = [];
  #roomSource: () => Iterable<RoomSample> = () => [];
  #connections = 0;

  readonly #connectionsTotal = this.#tally("connections_total", "Connections by result.", "result");
  readonly #closeCodes = this.#tally<number>(
    "close_codes_total",
    "Closed connections by code.",
    "code",
  );
  readonly #received = this.#tally("messages_received_total", "Messages received.", "type");
  readonly #delivered = this.#tally("messages_delivered_total", "Messages delivered.", "type");
  readonly #bytesIn = this.#tally("bytes_in_total", "Bytes received in frames.");
  readonly #bytesOut = this.#tally("bytes_out_total", "Bytes sent in messages.");
  readonly #errors = this.#tally("errors_total", "Errors by code.", "code");
  readonly #rateLimited = this.#tally("rate_limited_total", "Messages refused by rate limits.");
  readonly #slowConsumers = this.#tally(
    "slow_consumer_disconnects_total",
    "Connections closed because their outbound queue was full.",
  );
  readonly #connectionsGauge = this.#gauge("connections", "Open connections.");
  readonly #roomsGauge = this.#gauge("rooms", "Rooms in memory.");
  readonly #mailboxGauge = this.#gauge("mailbox_depth", "Deepest room mailbox.");
  readonly #lagGauge = this.#gauge("event_loop_lag_seconds", "Latest event-loop lag sample.");
  readonly #uptimeGauge = this.#gauge("uptime_seconds", "Seconds since the server started.");
  readonly #roomMembers = histogram(
    this.#registry,
    "room_members",
    "Members per room, rebuilt at each scrape.",
    ROOM_MEMBER_BUCKETS,
  );
  readonly #broadcast = new LocalHistogram(
    PREFIX + "broadcast_duration_seconds",
    "Time to fan one message out to a room.",
    BROADCAST_BUCKETS,
  );
  readonly #storeWrite = new LocalHistogram(
    PREFIX + "store_write_duration_seconds",
    "Time from publishing one message to its commit.",
    STORE_WRITE_BUCKETS,
  );
  readonly #messageRates: RateWindow;
  readonly #errorRates: RateWindow;
  readonly #roomRates: RoomRates;
  readonly #lag = new EventLoopLagSampler({ intervalMs: 500 });

  /**
   * Creates the metrics and starts the event-loop lag sampler.
   *
   * @param options Process metrics on or off, and the clock.
   */
  constructor(options: MetricsOptions = {}) {
    this.#now = options.now ?? (() => performance.now());
    this.#startMs = this.#now();
    this.contentType = this.#registry.contentType;
    this.#messageRates = new RateWindow(FIVE_MINUTES_MS / 1_000, 1_000, this.#startMs);
    this.#errorRates = new RateWindow(FIVE_MINUTES_MS / 1_000, 1_000, this.#startMs);
    this.#roomRates = new RoomRates(this.#startMs);
    this.#connectionsTotal.zero("accepted");
    if (options.collectProcess ?? true) registerProcessMetrics(this.#registry);
    this.#lag.start();
  }

  /**
   * Sets where live room figures come from; it is iterated once per scrape and per stats call.
   *
   * @param source Returns the rooms that exist now.
   */
  setRoomSource(source: () => Iterable<RoomSample>): void {
    this.#roomSource = source;
  }

  /** Counts an accepted connection and adds it to the open connections. */
  connectionAccepted(): void {
    this.#connectionsTotal.add(1, "accepted");
    this.#connections++;
  }

  /**
   * Counts a refused connection.
   *
   * @param code Why it was refused, e.g. `"unauthorized"`.
   */
  connectionRejected(code: string): void {
    this.#connectionsTotal.add(1, code);
  }

  /**
   * Removes a connection from the open connections and counts its close code.
   *
   * @param closeCode The WebSocket close code.
   */
  connectionClosed(closeCode: number): void {
    this.#connections--;
    this.#closeCodes.add(1, closeCode);
  }

  /**
   * Counts a valid message (once, however many recipients it has).
   *
   * @param type The message type.
   * @param roomId The room it was sent to.
   * @param bytes Size of its frame.
   */
  messageReceived(type: string, roomId: string, bytes: number): void {
    const now = this.#now();
    this.#received.add(1, type);
    this.#bytesIn.add(bytes);
    this.#messageRates.add(now);
    this.#roomRates.record(roomId, now);
  }

  /**
   * Counts the bytes of a frame that was not a valid message.
   *
   * @param bytes Size of the frame.
   */
  frameReceived(bytes: number): void {
    this.#bytesIn.add(bytes);
  }

  /**
   * Counts the deliveries of one message.
   *
   * @param type The message type.
   * @param count Number of recipients.
   * @param bytesEach Size of the frame each one was sent.
   */
  delivered(type: string, count: number, bytesEach: number): void {
    this.#delivered.add(count, type);
    this.#bytesOut.add(count * bytesEach);
  }

  /**
   * Counts an error.
   *
   * @param code The error code sent to the client.
   */
  error(code: string): void {
    this.#errors.add(1, code);
    this.#errorRates.add(this.#now());
  }

  /** Counts a message refused by rate limiting. */
  rateLimited(): void {
    this.#rateLimited.add(1);
  }

  /** Counts a connection closed because it could not keep up. */
  slowConsumerDisconnect(): void {
    this.#slowConsumers.add(1);
  }

  /**
   * Records how long fanning one message out took.
   *
   * @param seconds The duration.
   */
  observeBroadcast(seconds: number): void {
    this.#broadcast.observe(seconds);
  }

  /**
   * Records how long one message took from publishing to its commit.
   *
   * @param seconds The duration.
   */
  observeStoreWrite(seconds: number): void {
    this.#storeWrite.observe(seconds);
  }

  /**
   * Renders every metric in the Prometheus text format, reading the room source once.
   *
   * @returns The exposition, to send with {@linkcode Metrics.contentType}.
   */
  async render(): Promise<string> {
    for (const tally of this.#tallies) tally.flush();
    this.#connectionsGauge.set(this.#connections);
    this.#uptimeGauge.set((this.#now() - this.#startMs) / 1_000);
    this.#lagGauge.set(this.#lag.lagSeconds);
    this.#roomMembers.reset();
    let rooms = 0;
    let deepest = 0;
    for (const room of this.#roomSource()) {
      rooms++;
      this.#roomMembers.observe(room.members);
      if (room.mailboxDepth > deepest) deepest = room.mailboxDepth;
    }
    this.#roomsGauge.set(rooms);
    this.#mailboxGauge.set(deepest);
    const text = await this.#registry.metrics();
    return text + this.#broadcast.render() + this.#storeWrite.render();
  }

  /**
   * Totals, rates and the busiest rooms, for `GET /api/stats`.
   *
   * @returns The figures at this moment.
   */
  stats(): Stats {
    const now = this.#now();
    let rooms = 0;
    for (const _room of this.#roomSource()) rooms++;
    const memory = Deno.memoryUsage();
    return {
      connections: this.#connections,
      rooms,
      messages_received: this.#received.total,
      messages_delivered: this.#delivered.total,
      errors: this.#errors.total,
      rate_limited: this.#rateLimited.total,
      slow_consumer_disconnects: this.#slowConsumers.total,
      rates: {
        messages_per_s: windowRates(this.#messageRates, now),
        errors_per_s: windowRates(this.#errorRates, now),
      },
      busiest_rooms: this.#roomRates.top(BUSIEST_ROOMS, now).map((room) => ({
        id: room.id,
        messages_per_s: round3(room.messages_per_s),
      })),
      uptime_s: round3((now - this.#startMs) / 1_000),
      memory: { rss_bytes: memory.rss, heap_used_bytes: memory.heapUsed },
    };
  }

  /** Stops the event-loop lag sampler; safe to call more than once. */
  close(): void {
    this.#lag.stop();
  }

  #tally<K extends string | number = string>(name: string, help: string, label?: string) {
    const tally = counterTally<K>(this.#registry, name, help, label);
    this.#tallies.push(tally);
    return tally;
  }

  #gauge(name: string, help: string) {
    return gauge(this.#registry, name, help);
  }
}
