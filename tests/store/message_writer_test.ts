import FakeTimers from "@sinonjs/fake-timers";
import assert from "assert";
import { MemoryStore } from "../../src/store/memory.ts";
import { MessageWriter } from "../../src/store/message_writer.ts";
import { StoreError } from "../../src/store/store_error.ts";
import {
  type AppendResult,
  type HistoryPage,
  type MessageStore,
  type NewMessage,
  type SequenceState,
} from "../../src/store/types.ts";

/**
 * A message store whose commits the test completes by hand: each `appendMessages` call is
 * recorded and stays pending until `settle` is called for it.
 */
class ManualStore implements MessageStore {
  readonly batches: number[][] = [];
  readonly #commits: PromiseWithResolvers<void>[] = [];
  #called = Promise.withResolvers<void>();

  readonly probes: string[] = [];
  probeError: Error | null = null;

  appendMessages(messages: NewMessage[]): Promise<AppendResult[]> {
    const numbers = messages.map((m) => Number(m.data_json));
    this.batches.push(numbers);
    const commit = Promise.withResolvers<void>();
    this.#commits.push(commit);
    this.#called.resolve();
    return commit.promise.then(() => numbers.map((id) => ({ status: "stored", id })));
  }

  probeWrite(): Promise<void> {
    this.probes.push(this.probeError ? "failed" : "ok");
    return this.probeError ? Promise.reject(this.probeError) : Promise.resolve();
  }

  /** Resolves once `appendMessages` has been called `count` times in all. */
  async called(count: number): Promise<void> {
    while (this.batches.length < count) {
      this.#called = Promise.withResolvers<void>();
      await this.#called.promise;
    }
  }

  /** Completes commit number `index` (0-based), with `error` if given. */
  settle(index: number, error?: Error): void {
    if (error) this.#commits[index].reject(error);
    else this.#commits[index].resolve();
  }

  readMessages(): Promise<HistoryPage> {
    throw new Error("not used");
  }
  getSequence(): Promise<SequenceState> {
    throw new Error("not used");
  }
  trimOlderThan(): Promise<void> {
    throw new Error("not used");
  }
}

/** A message store that commits at once, failing the calls whose number is in `failing`. */
class ScriptedStore extends ManualStore {
  readonly #failing: Set<number>;

  constructor(failing: number[] = []) {
    super();
    this.#failing = new Set(failing);
  }

  override appendMessages(messages: NewMessage[]): Promise<AppendResult[]> {
    const call = this.batches.length;
    super.appendMessages(messages);
    if (this.#failing.has(call)) {
      return Promise.reject(new StoreError(`Cannot append ${messages.length} messages: disk full`));
    }
    return Promise.resolve(messages.map((m) => ({ status: "stored", id: Number(m.data_json) })));
  }
}

/** A chat message of `ana` whose payload is the number `n`, which the fake stores record. */
function message(n: number): NewMessage {
  return {
    type: "chat",
    room_id: "lobby",
    user_id: "ana",
    data_json: String(n),
    timestamp: "2025-01-01T00:00:00.000Z",
  };
}

/** Appends message `n`; the promise settles as the writer tells the append's callback. */
function put(writer: MessageWriter, n: number): Promise<AppendResult> {
  return new Promise((resolve, reject) => {
    writer.append(
      message(n),
      (error, result) => error === undefined ? resolve(result!) : reject(error),
    );
  });
}

/** Whether the promise has settled by the time other pending callbacks and timers ran. */
async function isSettled(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  promise.then(() => settled = true, () => settled = true);
  await new Promise((resolve) => setTimeout(resolve, 0));
  return settled;
}

Deno.test("MessageWriter commits appends of one event-loop turn in one batch", async () => {
  const store = new ScriptedStore();
  const commits: [number, number][] = [];
  const writer = new MessageWriter(store, {
    onCommit: (seconds, count) => commits.push([seconds, count]),
  });
  await Promise.all([1, 2, 3, 4, 5].map((id) => put(writer, id)));
  assert.deepStrictEqual(store.batches, [[1, 2, 3, 4, 5]]);
  assert.equal(commits.length, 1);
  assert.equal(commits[0][1], 5);
  assert.ok(commits[0][0] >= 0 && Number.isFinite(commits[0][0]), `seconds ${commits[0][0]}`);
  await writer.close();
});

Deno.test("MessageWriter commits a full batch at once and splits larger bursts", async () => {
  const store = new ManualStore();
  const writer = new MessageWriter(store, { maxBatch: 3 });
  const appends = [1, 2, 3, 4, 5, 6, 7].map((id) => put(writer, id));
  assert.deepStrictEqual(store.batches, [[1, 2, 3]]);
  store.settle(0);
  await store.called(2);
  store.settle(1);
  await store.called(3);
  store.settle(2);
  await Promise.all(appends);
  assert.deepStrictEqual(store.batches, [[1, 2, 3], [4, 5, 6], [7]]);
  await writer.close();
});

Deno.test("MessageWriter resolves an append only once its batch is committed", async () => {
  const store = new ManualStore();
  const writer = new MessageWriter(store);
  const appended = put(writer, 1);
  await store.called(1);
  assert.equal(await isSettled(appended), false);
  store.settle(0);
  await appended;
  await writer.close();
});

Deno.test("MessageWriter puts appends made during a commit into the next batch", async () => {
  const store = new ManualStore();
  const writer = new MessageWriter(store);
  const first = [put(writer, 1), put(writer, 2)];
  await store.called(1);
  const second = [put(writer, 3), put(writer, 4)];
  assert.equal(await isSettled(Promise.race(second)), false);
  assert.deepStrictEqual(store.batches, [[1, 2]]);
  store.settle(0);
  await Promise.all(first);
  await store.called(2);
  assert.deepStrictEqual(store.batches, [[1, 2], [3, 4]]);
  store.settle(1);
  await Promise.all(second);
  await writer.close();
});

Deno.test("MessageWriter rejects the appends of a failed commit and keeps working", async () => {
  const store = new ScriptedStore([0]);
  const writer = new MessageWriter(store);
  const failed = [put(writer, 1), put(writer, 2)];
  await Promise.all(failed.map((append) => assert.rejects(append, /^StoreError: .*disk full$/)));
  await put(writer, 3);
  assert.deepStrictEqual(store.batches, [[1, 2], [3]]);
  await writer.close();
});

Deno.test("MessageWriter.flush() commits what is queued without waiting for the timer", async () => {
  const store = new ManualStore();
  const writer = new MessageWriter(store);
  const appended = put(writer, 1);
  const flushed = writer.flush();
  assert.deepStrictEqual(store.batches, [[1]]);
  assert.equal(await isSettled(flushed), false);
  store.settle(0);
  await flushed;
  await appended;
  assert.deepStrictEqual(store.batches, [[1]]);
  await writer.close();
});

Deno.test("MessageWriter.flush() resolves when a commit it waits for fails, which the append is told", async () => {
  const store = new ScriptedStore([0]);
  const writer = new MessageWriter(store);
  const appended = put(writer, 1);
  await writer.flush();
  await assert.rejects(appended, /disk full/);
  await writer.close();
});

Deno.test("MessageWriter.close() commits queued messages and refuses later appends", async () => {
  const store = new ScriptedStore();
  const writer = new MessageWriter(store);
  const queued = [put(writer, 1), put(writer, 2)];
  await writer.close();
  assert.deepStrictEqual(store.batches, [[1, 2]]);
  await Promise.all(queued);
  await assert.rejects(put(writer, 3), (err: unknown) => {
    assert.ok(err instanceof StoreError);
    assert.equal(err.message, 'Cannot append a message to room "lobby": writer is closed');
    return true;
  });
  await writer.close();
  assert.deepStrictEqual(store.batches, [[1, 2]]);
});

Deno.test("MessageWriter.close() waits for the commit in flight", async () => {
  const store = new ManualStore();
  const writer = new MessageWriter(store);
  const appended = put(writer, 1);
  await store.called(1);
  const closed = writer.close();
  assert.equal(await isSettled(closed), false);
  store.settle(0);
  await closed;
  await appended;
});

Deno.test("MessageWriter refuses a maxBatch below 1", () => {
  assert.throws(() => new MessageWriter(new ScriptedStore(), { maxBatch: 0 }), RangeError);
});

Deno.test("MessageWriter with a window commits messages queued within it together", async () => {
  const clock = FakeTimers.withGlobal(globalThis).install({
    toFake: ["setTimeout", "clearTimeout"],
  });
  const store = new MemoryStore({ historySize: 0 });
  let commits = 0;
  const writer = new MessageWriter(store, { windowMs: 30, onCommit: () => commits++ });
  try {
    const first = put(writer, 1);
    await clock.tickAsync(5);
    const second = put(writer, 2);
    await clock.tickAsync(30);
    await Promise.all([first, second]);
    assert.equal(commits, 1);
    assert.equal((await store.readMessages("lobby", { limit: 10 })).messages.length, 2);
  } finally {
    clock.uninstall();
    await writer.close();
  }
});

Deno.test("MessageWriter tells each append's callback how its commit ended, even when one throws", async () => {
  const store = new ScriptedStore([0]);
  const writer = new MessageWriter(store);
  const told: [number, string][] = [];
  const callback = (id: number) => (error: unknown) => {
    told.push([id, error === undefined ? "committed" : String(error)]);
    if (id === 1) throw new Error("a callback that throws");
  };
  const reported: unknown[] = [];
  const onError = (event: ErrorEvent) => {
    event.preventDefault();
    reported.push(event.error);
  };
  globalThis.addEventListener("error", onError);
  try {
    writer.append(message(1), callback(1));
    writer.append(message(2), callback(2));
    await writer.flush();
    writer.append(message(3), callback(3));
    await writer.close();
    writer.append(message(4), callback(4));
    await new Promise((resolve) => setTimeout(resolve, 0));
  } finally {
    globalThis.removeEventListener("error", onError);
  }
  assert.deepStrictEqual(told.map(([id]) => id), [1, 2, 3, 4]);
  assert.match(told[0][1], /disk full$/);
  assert.match(told[1][1], /disk full$/);
  assert.equal(told[2][1], "committed");
  assert.match(told[3][1], /writer is closed$/);
  assert.equal(reported.length, 1);
});

Deno.test("MessageWriter reports failing writes until a probe write succeeds, without traffic", async () => {
  const clock = FakeTimers.withGlobal(globalThis).install({
    toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval"],
  });
  const store = new ScriptedStore([0]);
  const health: (string | null)[] = [];
  const writer = new MessageWriter(store, {
    probeIntervalMs: 1000,
    onHealth: (failure) => health.push(failure && failure.message),
  });
  try {
    assert.equal(writer.failure, null);
    const failed = assert.rejects(put(writer, 1), /disk full/);
    await clock.tickAsync(0);
    await failed;
    assert.match(writer.failure?.message ?? "", /disk full$/);
    store.probeError = new StoreError("Cannot write to database: database or disk is full");
    await clock.tickAsync(2000);
    assert.deepStrictEqual(store.probes, ["failed", "failed"]);
    assert.match(writer.failure?.message ?? "", /disk is full$/);
    store.probeError = null;
    await clock.tickAsync(1000);
    assert.equal(writer.failure, null);
    assert.deepStrictEqual(store.probes, ["failed", "failed", "ok"]);
    await clock.tickAsync(5000);
    assert.equal(store.probes.length, 3, "no probe once healthy");
    assert.deepStrictEqual(health, ["Cannot append 1 messages: disk full", null]);
  } finally {
    clock.uninstall();
    await writer.close();
  }
});

Deno.test("MessageWriter clears its failure when a commit succeeds again", async () => {
  const store = new ScriptedStore([0]);
  const writer = new MessageWriter(store, { probeIntervalMs: 60_000 });
  await assert.rejects(put(writer, 1), /disk full/);
  assert.ok(writer.failure);
  assert.deepStrictEqual(await put(writer, 2), { status: "stored", id: 2 });
  assert.equal(writer.failure, null);
  await writer.close();
});
