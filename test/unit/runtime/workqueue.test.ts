import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createMetrics } from "../../../src/runtime/metrics.js";
import {
  type ReconcileResult,
  runWorkers,
  TerminalError,
  WorkQueue,
} from "../../../src/runtime/workqueue.js";

/** A promise the test resolves by hand, to hold a reconcile in flight. */
function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Returns whether `promise` has settled, letting pending microtasks run first. */
async function isSettled(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  void promise.then(
    () => {
      settled = true;
    },
    () => {
      settled = true;
    },
  );
  await vi.advanceTimersByTimeAsync(0);
  return settled;
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("WorkQueue", () => {
  it("queues a key added several times only once", async () => {
    const queue = new WorkQueue({ name: "test" });
    queue.add("ns/a");
    queue.add("ns/a");
    queue.add("ns/b");
    expect(queue.len()).toBe(2);
    expect(await queue.get()).toBe("ns/a");
    expect(await queue.get()).toBe("ns/b");
    expect(queue.len()).toBe(0);
  });

  it("never hands a key to a second worker while the first still processes it", async () => {
    const queue = new WorkQueue({ name: "test" });
    queue.add("ns/a");
    expect(await queue.get()).toBe("ns/a");

    queue.add("ns/a");
    expect(queue.len()).toBe(0);
    const second = queue.get();
    expect(await isSettled(second)).toBe(false);

    queue.done("ns/a");
    expect(await second).toBe("ns/a");
  });

  it("processes a key once more when it was added while being processed", async () => {
    const queue = new WorkQueue({ name: "test" });
    queue.add("ns/a");
    await queue.get();
    queue.add("ns/a");
    queue.add("ns/a");
    queue.done("ns/a");
    expect(queue.len()).toBe(1);
    expect(await queue.get()).toBe("ns/a");
    queue.done("ns/a");
    expect(queue.len()).toBe(0);
  });

  it("hands a key to a worker that was already waiting", async () => {
    const queue = new WorkQueue({ name: "test" });
    const waiting = queue.get();
    queue.add("ns/a");
    expect(await waiting).toBe("ns/a");
  });

  it("backs off a failing key exponentially from 5 ms up to the cap", async () => {
    const queue = new WorkQueue({ name: "test", backoff: { maxDelayMs: 40 } });
    const delays: number[] = [];
    for (let attempt = 0; attempt < 6; attempt++) {
      const startedAt = Date.now();
      queue.addRateLimited("ns/a");
      const next = queue.get();
      while (!(await isSettled(next))) await vi.advanceTimersByTimeAsync(1);
      delays.push(Date.now() - startedAt);
      queue.done("ns/a");
    }
    expect(delays).toEqual([5, 10, 20, 40, 40, 40]);
    expect(queue.numRequeues("ns/a")).toBe(6);
  });

  it("adds jitter to the backoff without passing the cap", () => {
    const queue = new WorkQueue({
      name: "test",
      backoff: { baseDelayMs: 100, maxDelayMs: 150, jitterFraction: 0.5 },
      random: () => 1,
    });
    queue.addRateLimited("ns/a");
    vi.advanceTimersByTime(149);
    expect(queue.len()).toBe(0);
    vi.advanceTimersByTime(1);
    expect(queue.len()).toBe(1);
  });

  it("starts the backoff again from the base delay after forget", () => {
    const queue = new WorkQueue({ name: "test" });
    queue.addRateLimited("ns/a");
    queue.addRateLimited("ns/a");
    expect(queue.numRequeues("ns/a")).toBe(2);
    queue.forget("ns/a");
    expect(queue.numRequeues("ns/a")).toBe(0);
  });

  it("keeps the earliest deadline when a key is added with several delays", () => {
    const queue = new WorkQueue({ name: "test" });
    queue.addAfter("ns/a", 1000);
    queue.addAfter("ns/a", 100);
    queue.addAfter("ns/a", 5000);
    vi.advanceTimersByTime(99);
    expect(queue.len()).toBe(0);
    vi.advanceTimersByTime(1);
    expect(queue.len()).toBe(1);
    vi.advanceTimersByTime(10_000);
    expect(queue.len()).toBe(1);
  });

  it("resolves waiting and later gets with undefined after shutdown, and ignores adds", async () => {
    const queue = new WorkQueue({ name: "test" });
    const waiting = queue.get();
    queue.addAfter("ns/later", 10);
    queue.shutDown();
    expect(await waiting).toBeUndefined();
    queue.add("ns/a");
    vi.advanceTimersByTime(100);
    expect(queue.len()).toBe(0);
    expect(await queue.get()).toBeUndefined();
  });

  it("drains: shutDownWithDrain resolves only once in-flight keys are done", async () => {
    const queue = new WorkQueue({ name: "test" });
    queue.add("ns/a");
    await queue.get();
    const drained = queue.shutDownWithDrain();
    expect(await isSettled(drained)).toBe(false);
    queue.done("ns/a");
    expect(await isSettled(drained)).toBe(true);
  });

  it("reports depth, adds and retries as metrics", async () => {
    const metrics = createMetrics({ processMetrics: false });
    const queue = new WorkQueue({ name: "groups", metrics });
    queue.add("ns/a");
    queue.add("ns/a");
    queue.add("ns/b");
    queue.addRateLimited("ns/c");
    const text = await metrics.registry.metrics();
    expect(text).toContain('workqueue_depth{name="groups"} 2');
    expect(text).toContain('workqueue_adds_total{name="groups"} 2');
    expect(text).toContain('workqueue_retries_total{name="groups"} 1');
  });

  it("reports how long the oldest in-flight key has been processing", async () => {
    const metrics = createMetrics({ processMetrics: false });
    const queue = new WorkQueue({ name: "groups", metrics });
    queue.add("ns/a");
    await queue.get();
    vi.advanceTimersByTime(3000);
    const text = await metrics.registry.metrics();
    expect(text).toContain('workqueue_longest_running_processor_seconds{name="groups"} 3');
    expect(text).toContain('workqueue_unfinished_work_seconds{name="groups"} 3');
  });
});

describe("runWorkers", () => {
  /** Starts workers on a fresh queue with a handler the test scripts per call. */
  function start(handler: (key: string) => Promise<ReconcileResult>, workers = 2) {
    const metrics = createMetrics({ processMetrics: false });
    const queue = new WorkQueue({ name: "groups", metrics });
    const onError = vi.fn();
    const running = runWorkers({ queue, workers, handler, metrics, onError });
    return { queue, metrics, onError, running };
  }

  it("forgets the key's failures after a successful reconcile", async () => {
    const calls: string[] = [];
    let fail = true;
    const { queue, running } = start(async (key) => {
      calls.push(key);
      if (fail) {
        fail = false;
        throw new Error("conflict");
      }
      return {};
    });
    queue.add("ns/a");
    await vi.advanceTimersByTimeAsync(0);
    expect(queue.numRequeues("ns/a")).toBe(1);
    await vi.advanceTimersByTimeAsync(5);
    expect(calls).toEqual(["ns/a", "ns/a"]);
    expect(queue.numRequeues("ns/a")).toBe(0);
    queue.shutDown();
    await running;
  });

  it("retries a failing key with growing delays and reports the error", async () => {
    const callTimes: number[] = [];
    const startedAt = Date.now();
    const { queue, onError, metrics, running } = start(async () => {
      callTimes.push(Date.now() - startedAt);
      throw new Error("api unavailable");
    });
    queue.add("ns/a");
    await vi.advanceTimersByTimeAsync(100);
    expect(callTimes).toEqual([0, 5, 15, 35, 75]);
    expect(onError).toHaveBeenCalledWith("ns/a", expect.any(Error), true);
    const text = await metrics.registry.metrics();
    expect(text).toContain('controller_runtime_reconcile_errors_total{controller="groups"} 5');
    expect(text).toContain('controller_runtime_reconcile_total{controller="groups",result="error"} 5');
    queue.shutDown();
    await running;
  });

  it("does not retry a key after a terminal error until it is added again", async () => {
    let calls = 0;
    const { queue, onError, running } = start(async () => {
      calls += 1;
      throw new TerminalError("spec.containers is empty");
    });
    queue.add("ns/a");
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls).toBe(1);
    expect(queue.numRequeues("ns/a")).toBe(0);
    expect(onError).toHaveBeenCalledWith("ns/a", expect.any(TerminalError), false);
    queue.add("ns/a");
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toBe(2);
    queue.shutDown();
    await running;
  });

  it("reconciles again after requeueAfter", async () => {
    const callTimes: number[] = [];
    const startedAt = Date.now();
    const { queue, metrics, running } = start(async () => {
      callTimes.push(Date.now() - startedAt);
      return { requeueAfter: 30_000 };
    });
    queue.add("ns/a");
    await vi.advanceTimersByTimeAsync(60_000);
    expect(callTimes).toEqual([0, 30_000, 60_000]);
    const text = await metrics.registry.metrics();
    expect(text).toContain(
      'controller_runtime_reconcile_total{controller="groups",result="requeue_after"} 3',
    );
    queue.shutDown();
    await running;
  });

  it("backs off a key whose reconcile asks to be requeued, without counting an error", async () => {
    const callTimes: number[] = [];
    const startedAt = Date.now();
    const { queue, metrics, onError, running } = start(async () => {
      callTimes.push(Date.now() - startedAt);
      return { requeue: true };
    });
    queue.add("ns/a");
    await vi.advanceTimersByTimeAsync(20);
    expect(callTimes).toEqual([0, 5, 15]);
    expect(onError).not.toHaveBeenCalled();
    const text = await metrics.registry.metrics();
    expect(text).toContain('controller_runtime_reconcile_total{controller="groups",result="requeue"} 3');
    queue.shutDown();
    await running;
  });

  it("never runs two reconciles of one key at once, and reruns it when added meanwhile", async () => {
    let concurrent = 0;
    let maxConcurrent = 0;
    const holds: Array<(result: ReconcileResult) => void> = [];
    const { queue, running } = start(async () => {
      concurrent += 1;
      maxConcurrent = Math.max(maxConcurrent, concurrent);
      const hold = deferred<ReconcileResult>();
      holds.push(hold.resolve);
      const result = await hold.promise;
      concurrent -= 1;
      return result;
    }, 4);
    queue.add("ns/a");
    await vi.advanceTimersByTimeAsync(0);
    queue.add("ns/a");
    queue.add("ns/a");
    await vi.advanceTimersByTimeAsync(0);
    expect(holds).toHaveLength(1);

    holds[0]?.({});
    await vi.advanceTimersByTimeAsync(0);
    expect(holds).toHaveLength(2);
    holds[1]?.({});
    await vi.advanceTimersByTimeAsync(0);
    expect(holds).toHaveLength(2);
    expect(maxConcurrent).toBe(1);
    queue.shutDown();
    await running;
  });

  it("processes different keys in parallel up to the worker count", async () => {
    const holds: Array<() => void> = [];
    const { queue, metrics, running } = start(async () => {
      const hold = deferred<void>();
      holds.push(hold.resolve);
      await hold.promise;
      return {};
    }, 2);
    queue.add("ns/a");
    queue.add("ns/b");
    queue.add("ns/c");
    await vi.advanceTimersByTimeAsync(0);
    expect(holds).toHaveLength(2);
    let text = await metrics.registry.metrics();
    expect(text).toContain('controller_runtime_active_workers{controller="groups"} 2');
    expect(text).toContain('controller_runtime_max_concurrent_reconciles{controller="groups"} 2');

    for (const release of holds.splice(0)) release();
    await vi.advanceTimersByTimeAsync(0);
    expect(holds).toHaveLength(1);
    holds[0]?.();
    await vi.advanceTimersByTimeAsync(0);
    text = await metrics.registry.metrics();
    expect(text).toContain('controller_runtime_reconcile_total{controller="groups",result="success"} 3');
    queue.shutDown();
    await running;
  });

  it("finishes once the queue shuts down and in-flight reconciles complete", async () => {
    const hold = deferred<ReconcileResult>();
    const { queue, running } = start(() => hold.promise, 2);
    queue.add("ns/a");
    await vi.advanceTimersByTimeAsync(0);
    queue.shutDown();
    expect(await isSettled(running)).toBe(false);
    hold.resolve({});
    expect(await isSettled(running)).toBe(true);
  });
});
