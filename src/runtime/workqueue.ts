import type { RuntimeMetrics } from "./metrics.js";

/**
 * A keyed work queue with client-go's guarantees:
 * - a key waits in the queue at most once, however many times it is added (the dirty set);
 * - a key is handed to one worker at a time (the processing set);
 * - a key added while a worker processes it is queued again when that worker calls `done`,
 *   so the change that caused the add is never missed.
 * Retries back off per key (5 ms x 2^failures, capped), and `addAfter` schedules timed work.
 */

export interface BackoffOptions {
  /** Delay of the first retry. Default 5 ms. */
  baseDelayMs?: number;
  /** Longest delay between retries. Default 5 minutes (client-go's 1000 s is unfriendly to users). */
  maxDelayMs?: number;
  /** Adds up to this fraction of the delay at random, so keys that failed together spread out. Default 0. */
  jitterFraction?: number;
}

export interface WorkQueueOptions {
  /** Value of the `name` label on workqueue_* metrics. */
  name: string;
  metrics?: RuntimeMetrics;
  backoff?: BackoffOptions;
  /** Source of randomness for jitter; tests replace it. */
  random?: () => number;
}

interface DelayedAdd {
  deadline: number;
  timer: NodeJS.Timeout;
}

export class WorkQueue {
  readonly name: string;
  private readonly metrics: RuntimeMetrics | undefined;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly jitterFraction: number;
  private readonly random: () => number;

  /** Keys ready to be handed out, in arrival order. */
  private readonly ready = new KeyFifo();
  /** Keys that need processing: queued, or added again while being processed. */
  private readonly dirty = new Set<string>();
  /** Keys handed to a worker and not yet `done`, with the time processing started. */
  private readonly processing = new Map<string, number>();
  /** When each dirty key was added, for workqueue_queue_duration_seconds. */
  private readonly addedAt = new Map<string, number>();
  private readonly delayed = new Map<string, DelayedAdd>();
  private readonly failures = new Map<string, number>();
  private readonly waitingWorkers: Array<(key: string | undefined) => void> = [];
  private readonly drainWaiters: Array<() => void> = [];
  private shuttingDown = false;
  private readonly stopTrackingUnfinishedWork: () => void;

  constructor(options: WorkQueueOptions) {
    this.name = options.name;
    this.metrics = options.metrics;
    this.baseDelayMs = options.backoff?.baseDelayMs ?? 5;
    this.maxDelayMs = options.backoff?.maxDelayMs ?? 5 * 60_000;
    this.jitterFraction = options.backoff?.jitterFraction ?? 0;
    this.random = options.random ?? Math.random;
    this.stopTrackingUnfinishedWork =
      this.metrics?.trackUnfinishedWork(this.name, () => this.unfinishedWork()) ?? (() => {});
  }

  /** Marks the key as needing processing. No-op after shutdown. */
  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.metrics?.workqueueAddsTotal.inc({ name: this.name });
    this.dirty.add(key);
    this.addedAt.set(key, Date.now());
    // A key being processed is re-queued by `done`; queuing it now would let a second worker take it.
    if (this.processing.has(key)) return;
    this.ready.push(key);
    this.metrics?.workqueueDepth.inc({ name: this.name });
    this.handOutToWaitingWorkers();
  }

  /** Adds the key after `delayMs`. A key already waiting keeps the earlier of the two deadlines. */
  addAfter(key: string, delayMs: number): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const deadline = Date.now() + delayMs;
    const existing = this.delayed.get(key);
    if (existing !== undefined) {
      if (existing.deadline <= deadline) return;
      clearTimeout(existing.timer);
    }
    const timer = setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, delayMs);
    this.delayed.set(key, { deadline, timer });
  }

  /** Adds the key after its backoff delay, and counts one more failure for it. */
  addRateLimited(key: string): void {
    if (this.shuttingDown) return;
    const failures = this.failures.get(key) ?? 0;
    this.failures.set(key, failures + 1);
    this.metrics?.workqueueRetriesTotal.inc({ name: this.name });
    this.addAfter(key, this.backoffDelay(failures));
  }

  /** Clears the key's failure count: its next failure starts again from the base delay. */
  forget(key: string): void {
    this.failures.delete(key);
  }

  /** How many times the key was rate-limited since it was last forgotten. */
  numRequeues(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /**
   * Waits for a key and marks it as processing; the caller must call `done(key)` afterwards.
   * Resolves undefined once the queue shuts down; keys still queued then are dropped.
   */
  get(): Promise<string | undefined> {
    if (this.shuttingDown) return Promise.resolve(undefined);
    const key = this.ready.shift();
    if (key !== undefined) return Promise.resolve(this.startProcessing(key));
    return new Promise((resolve) => this.waitingWorkers.push(resolve));
  }

  /** Ends processing of the key; if it was added meanwhile, queues it again. */
  done(key: string): void {
    const startedAt = this.processing.get(key);
    if (startedAt === undefined) return;
    this.processing.delete(key);
    this.metrics?.workqueueWorkDurationSeconds.observe({ name: this.name }, (Date.now() - startedAt) / 1000);
    if (this.dirty.has(key) && !this.shuttingDown) {
      this.ready.push(key);
      this.metrics?.workqueueDepth.inc({ name: this.name });
      this.handOutToWaitingWorkers();
    }
    if (this.processing.size === 0) for (const resolve of this.drainWaiters.splice(0)) resolve();
  }

  /** Number of keys waiting to be handed out (not counting delayed or in-flight keys). */
  len(): number {
    return this.ready.length;
  }

  isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /** Stops handing out keys: waiting and future `get` calls resolve undefined; adds are ignored. */
  shutDown(): void {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    for (const { timer } of this.delayed.values()) clearTimeout(timer);
    this.delayed.clear();
    this.metrics?.workqueueDepth.dec({ name: this.name }, this.ready.length);
    this.ready.clear();
    for (const resolve of this.waitingWorkers.splice(0)) resolve(undefined);
    this.stopTrackingUnfinishedWork();
  }

  /** Shuts down, then resolves once every key handed out has been marked `done`. */
  shutDownWithDrain(): Promise<void> {
    this.shutDown();
    if (this.processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  private backoffDelay(failures: number): number {
    const exponential = Math.min(this.baseDelayMs * 2 ** failures, this.maxDelayMs);
    const jitter = exponential * this.jitterFraction * this.random();
    return Math.min(exponential + jitter, this.maxDelayMs);
  }

  private startProcessing(key: string): string {
    const now = Date.now();
    this.metrics?.workqueueDepth.dec({ name: this.name });
    const addedAt = this.addedAt.get(key);
    if (addedAt !== undefined) {
      this.metrics?.workqueueQueueDurationSeconds.observe({ name: this.name }, (now - addedAt) / 1000);
    }
    this.addedAt.delete(key);
    this.dirty.delete(key);
    this.processing.set(key, now);
    return key;
  }

  private handOutToWaitingWorkers(): void {
    while (this.waitingWorkers.length > 0 && this.ready.length > 0) {
      const resolve = this.waitingWorkers.shift();
      const key = this.ready.shift();
      if (resolve === undefined || key === undefined) return;
      resolve(this.startProcessing(key));
    }
  }

  private unfinishedWork(): { unfinishedSeconds: number; longestRunningSeconds: number } {
    const now = Date.now();
    let unfinishedSeconds = 0;
    let longestRunningSeconds = 0;
    for (const startedAt of this.processing.values()) {
      const seconds = (now - startedAt) / 1000;
      unfinishedSeconds += seconds;
      longestRunningSeconds = Math.max(longestRunningSeconds, seconds);
    }
    return { unfinishedSeconds, longestRunningSeconds };
  }
}

/** FIFO of keys with O(1) shift: an array read from a moving head, compacted now and then. */
class KeyFifo {
  private items: string[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(key: string): void {
    this.items.push(key);
  }

  shift(): string | undefined {
    if (this.head >= this.items.length) return undefined;
    const key = this.items[this.head];
    this.head += 1;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return key;
  }

  clear(): void {
    this.items = [];
    this.head = 0;
  }
}

/** What a reconcile asks of the queue. `{}` means done: the key waits for its next event. */
export interface ReconcileResult {
  /** Process the key again after this many milliseconds (timed work, e.g. polling an external state). */
  requeueAfter?: number;
  /** Process the key again after its backoff delay, without counting an error. */
  requeue?: boolean;
}

/**
 * An error that retrying cannot fix (an invalid spec, say). The key is not retried until something
 * adds it again, typically a change to the object.
 */
export class TerminalError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "TerminalError";
  }
}

export type ReconcileHandler = (key: string) => Promise<ReconcileResult>;

export interface RunWorkersOptions {
  queue: WorkQueue;
  /** How many keys are processed at once (controller-runtime's MaxConcurrentReconciles). */
  workers: number;
  handler: ReconcileHandler;
  /** Value of the `controller` label; defaults to the queue's name. */
  controller?: string;
  metrics?: RuntimeMetrics;
  /** Told about every failed reconcile; the queue has already scheduled the retry (or not, if terminal). */
  onError?: (key: string, error: unknown, retrying: boolean) => void;
}

/**
 * Runs `workers` loops that take keys from the queue and reconcile them. The queue owns retries:
 * success forgets the key's failures, `requeueAfter` schedules it, an error backs it off, a
 * TerminalError drops it. Resolves when the queue shuts down and every worker has finished its key.
 */
export async function runWorkers(options: RunWorkersOptions): Promise<void> {
  const { queue, workers, metrics } = options;
  if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`workers must be >= 1, got ${workers}`);
  const controller = options.controller ?? queue.name;
  metrics?.maxConcurrentReconciles.set({ controller }, workers);
  metrics?.activeWorkers.set({ controller }, 0);

  const worker = async (): Promise<void> => {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      await reconcileOnce(options, controller, key);
    }
  };
  await Promise.all(Array.from({ length: workers }, worker));
}

async function reconcileOnce(options: RunWorkersOptions, controller: string, key: string): Promise<void> {
  const { queue, metrics } = options;
  metrics?.activeWorkers.inc({ controller });
  const stopTimer = metrics?.reconcileTimeSeconds.startTimer({ controller });
  try {
    const result = await options.handler(key);
    if (result.requeueAfter !== undefined && result.requeueAfter > 0) {
      // A timed requeue is not a failure: the next error starts from the base delay.
      queue.forget(key);
      queue.addAfter(key, result.requeueAfter);
      metrics?.reconcileTotal.inc({ controller, result: "requeue_after" });
    } else if (result.requeue === true) {
      queue.addRateLimited(key);
      metrics?.reconcileTotal.inc({ controller, result: "requeue" });
    } else {
      queue.forget(key);
      metrics?.reconcileTotal.inc({ controller, result: "success" });
    }
  } catch (error) {
    const retrying = !(error instanceof TerminalError);
    if (retrying) queue.addRateLimited(key);
    else queue.forget(key);
    metrics?.reconcileTotal.inc({ controller, result: "error" });
    metrics?.reconcileErrorsTotal.inc({ controller });
    try {
      options.onError?.(key, error, retrying);
    } catch {
      // A failing error hook must not stop the worker loop.
    }
  } finally {
    queue.done(key);
    stopTimer?.();
    metrics?.activeWorkers.dec({ controller });
  }
}
