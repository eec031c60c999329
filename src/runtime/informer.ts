import {
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  Watch,
} from "@kubernetes/client-node";
import { Counter, type Registry } from "prom-client";
import { errorCode, errorMessage, isGone, KubeClient, type RequestRateLimiter } from "./apply.js";
import { wakeableSleep } from "./sleep.js";

/**
 * A cache and watch of one resource that survives @kubernetes/client-node 1.4.0's failure modes.
 *
 * Why not client-node's `makeInformer`: on any error other than 410 it fires `error` and stops for
 * good; it never asks for bookmarks, so an idle watch cannot be told from a dead one (watches are
 * reported to go silent after tens of minutes); and it leaves the informer user no hold on the
 * request to abort. This one runs its own list-then-watch loop on client-node's `Watch`:
 *
 * - every watch ends in a restart: `error` after a jittered exponential backoff (1 s .. 30 s),
 *   a normal server-side close at once, 410 Gone (or an expired continue token) by re-listing;
 * - a watch that delivers nothing, not even a BOOKMARK (requested; the API server sends one about
 *   every minute), for `silenceTimeoutMs` is presumed dead and restarted;
 * - a full re-list every `resyncIntervalMs` catches anything a watch missed. It fires add, update
 *   and delete handlers for what changed, and nothing (or `onResync`) for what did not, so an idle
 *   re-list causes no writes downstream;
 * - each watch request is aborted before the next starts, so restarts leak no sockets.
 *
 * Cached objects lose `metadata.managedFields` (often the bulk of an object) and then pass through
 * the caller's `transform`. They are shared, not copied: callers must not mutate them.
 */

/** A resource by API group (`""` for core), version and plural name. */
export interface ResourceRef {
  group: string;
  version: string;
  plural: string;
}

export interface InformerHandlers<T> {
  onAdd?(obj: T): void;
  onUpdate?(oldObj: T, newObj: T): void;
  /** The last state the cache knew: after a missed delete found by a re-list, possibly stale. */
  onDelete?(obj: T): void;
  /** A re-list found the object unchanged. Most controllers leave this out. */
  onResync?(obj: T): void;
}

/** Why a watch was restarted; the `reason` label of a restarts metric. */
export type RestartReason =
  | "error" // the watch or list failed
  | "silence" // no event for silenceTimeoutMs
  | "gone" // 410: the resourceVersion is too old; re-listed
  | "resync" // periodic or requested full re-list
  | "closed" // the server ended the watch (its timeout); reconnected at once
  | "requested"; // restartWatch() was called

export type IndexFunction<T> = (obj: T) => readonly string[];

export interface ListQuery {
  labelSelector?: string;
  limit: number;
  continue?: string;
}

export type ListFunction<T extends KubernetesObject> = (query: ListQuery) => Promise<KubernetesListObject<T>>;

/** The one method of client-node's `Watch` used here; tests substitute their own. */
export interface WatchSource {
  watch(
    path: string,
    query: Record<string, string | number | boolean | undefined>,
    onEvent: (type: string, obj: unknown) => void,
    onDone: (err: unknown) => void,
  ): Promise<AbortController>;
}

/** A structural logger: winston's Logger fits it, and so does a test double. */
export interface LogSink {
  error(message: string, meta?: Record<string, unknown>): unknown;
  warn(message: string, meta?: Record<string, unknown>): unknown;
  info(message: string, meta?: Record<string, unknown>): unknown;
  debug(message: string, meta?: Record<string, unknown>): unknown;
}

export interface JitteredBackoff {
  /** Delay after the first failure, before jitter. */
  initialMs: number;
  /** Longest delay, before jitter. */
  maxMs: number;
}

export interface InformerOptions<T extends KubernetesObject> {
  kubeConfig: KubeConfig;
  resource: ResourceRef;
  /** Watch one namespace only; default all namespaces. */
  namespace?: string;
  labelSelector?: string;
  /** Used for the default list (and its rate limiter and metrics). Default: a client of `kubeConfig`. */
  client?: KubeClient;
  /** Replaces the default list (a paged GET of the resource path). */
  list?: ListFunction<T>;
  /** Paces watch requests like the client paces the rest (pass the same limiter). */
  rateLimiter?: RequestRateLimiter;
  /** Replaces client-node's `Watch`; for tests. */
  watchSource?: WatchSource;
  /** Slims each object further before it is cached (after managedFields are stripped). */
  transform?: (obj: T) => T;
  /** Secondary indices for `byIndex`, e.g. by a label value or by controller owner uid. */
  indexers?: Record<string, IndexFunction<T>>;
  /** Restart a watch that delivered nothing for this long. Default 5 min. */
  silenceTimeoutMs?: number;
  /** Full re-list period. Default 10 min; 0 disables. */
  resyncIntervalMs?: number;
  /** Backoff after failures. Default 1 s .. 30 s. */
  backoff?: JitteredBackoff;
  /** Page size of lists. Default 500. */
  pageSize?: number;
  logger?: LogSink;
  /** Called on each restart; e.g. `(reason) => restarts.inc({ resource: "pods", reason })` with `informerRestartsCounter`. */
  onRestart?: (reason: RestartReason) => void;
  /** Source of randomness for jitter; tests replace it. */
  random?: () => number;
  /**
   * A list refused with 403 makes the informer synced but unavailable (`unavailable()` returns the
   * refusal) instead of holding its sync forever: for caches of what the operator may not be
   * granted (cluster-scoped reads in a namespaced install). It keeps retrying with backoff, so a
   * permission granted later fills the cache, firing adds, with no restart.
   */
  forbiddenIsUnavailable?: boolean;
}

interface WatchEnd {
  reason: RestartReason | "stopped";
  error?: unknown;
}

interface WatchSession {
  ended: boolean;
  lastEventAt: number;
  finish(end: WatchEnd): void;
}

const DEFAULT_BACKOFF: JitteredBackoff = { initialMs: 1000, maxMs: 30_000 };
/** A server-side close sooner than this after connecting, with no event, counts as a failure. */
const MIN_HEALTHY_WATCH_MS = 1000;

/**
 * Exponential backoff with "equal jitter": the delay doubles with each consecutive failure up to
 * `maxMs`, and a random part of up to half is added, so watchers that failed together (an API server
 * restart) do not all return in the same instant, yet none retries sooner than half the delay.
 * `failures` is 1 for the first retry; `random` returns [0, 1).
 */
export function jitteredBackoffMs(failures: number, backoff: JitteredBackoff, random: () => number): number {
  const exponent = Math.min(Math.max(0, failures - 1), 30); // 2^n stays finite after a long outage
  const ceiling = Math.min(backoff.maxMs, backoff.initialMs * 2 ** exponent);
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

/** The collection path of a resource: `/api/v1/namespaces/ns/pods`, `/apis/apps/v1/deployments`. */
export function resourcePath(resource: ResourceRef, namespace?: string): string {
  const groupVersion =
    resource.group === "" ? `/api/${resource.version}` : `/apis/${resource.group}/${resource.version}`;
  const scope = namespace ? `/namespaces/${encodeURIComponent(namespace)}` : "";
  return `${groupVersion}${scope}/${resource.plural}`;
}

/**
 * client-node's `Watch`, made to leave dead-watch detection to the informer. client-node 2 aborts a
 * watch after 30 s without a byte (its private `requestTimeoutMs`), while the API server sends an
 * idle watch a BOOKMARK only about once a minute: every quiet watch would end in an error and a
 * backoff (test/integration/runtime/informer.test.ts shows both). The informer's own silence
 * timer is the one that restarts a dead watch, so client-node's is moved past it.
 * test/unit/runtime/informer.test.ts fails if a client-node release renames the field.
 */
export function patientWatch(kc: KubeConfig, silenceTimeoutMs: number): Watch {
  const watch = new Watch(kc);
  Reflect.set(watch, "requestTimeoutMs", silenceTimeoutMs + 60_000);
  return watch;
}

/** The watch timeout to ask of the server: 5 to 10 min, spread like client-go's so watches do not end together. */
export function watchTimeoutSeconds(random: () => number): number {
  return Math.floor(300 * (1 + random()));
}

/** `informer_restarts_total{resource,reason}`, registered on `registry`; create it once per registry. */
export function informerRestartsCounter(registry: Registry): Counter<"resource" | "reason"> {
  return new Counter({
    name: "informer_restarts_total",
    help: "Watch restarts of resilient informers, by resource and reason.",
    labelNames: ["resource", "reason"],
    registers: [registry],
  });
}

export class ResilientInformer<T extends KubernetesObject> {
  readonly path: string;
  private readonly options: InformerOptions<T>;
  private readonly listFn: ListFunction<T>;
  private readonly watchSource: WatchSource;
  private readonly indexers: ReadonlyMap<string, IndexFunction<T>>;
  private readonly random: () => number;
  private readonly silenceTimeoutMs: number;
  private readonly resyncIntervalMs: number;

  /** namespace ("" when cluster-scoped) -> name -> object */
  private readonly objects = new Map<string, Map<string, T>>();
  /** index name -> index value -> object keys */
  private readonly indices = new Map<string, Map<string, Set<string>>>();
  private readonly handlers: InformerHandlers<T>[] = [];

  /** Where the next watch starts; undefined means a full list comes first. */
  private resourceVersion: string | undefined;
  private synced = false;
  /** The 403 of the last list, with `forbiddenIsUnavailable`; cleared by a list that succeeds. */
  private forbidden: unknown;
  private syncWaiters: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  private running = false;
  /** Bumped by each start and stop, so a loop left over from before a stop can never run beside a new one. */
  private generation = 0;
  private loop: Promise<void> | undefined;
  private session: WatchSession | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private wakeFromSleep: (() => void) | undefined;

  constructor(options: InformerOptions<T>) {
    this.options = options;
    this.path = resourcePath(options.resource, options.namespace);
    const client = options.client ?? new KubeClient(options.kubeConfig);
    this.listFn =
      options.list ?? ((query) => client.getPath<KubernetesListObject<T>>(this.path, { ...query }));
    this.silenceTimeoutMs = options.silenceTimeoutMs ?? 5 * 60_000;
    this.watchSource = options.watchSource ?? patientWatch(options.kubeConfig, this.silenceTimeoutMs);
    this.indexers = new Map(Object.entries(options.indexers ?? {}));
    for (const name of this.indexers.keys()) this.indices.set(name, new Map());
    this.random = options.random ?? Math.random;
    this.resyncIntervalMs = options.resyncIntervalMs ?? 10 * 60_000;
  }

  /** Registers handlers; those added after the initial list do not see its adds (use `list()`). */
  addHandlers(handlers: InformerHandlers<T>): void {
    this.handlers.push(handlers);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run(++this.generation);
    if (this.resyncIntervalMs > 0) {
      this.resyncTimer = setInterval(() => this.endSession({ reason: "resync" }), this.resyncIntervalMs);
      this.resyncTimer.unref();
    }
  }

  /** Stops watching and resolves once the loop has exited. The cache stays readable. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.generation++;
    clearInterval(this.resyncTimer);
    this.endSession({ reason: "stopped" });
    this.wakeFromSleep?.();
    await this.loop;
    for (const waiter of this.syncWaiters.splice(0))
      waiter.reject(new Error("informer stopped before it synced"));
  }

  /** Drops the current watch and resumes from the last resourceVersion seen (no re-list). */
  restartWatch(): void {
    this.endSession({ reason: "requested" });
  }

  /** Re-lists now, firing handlers for whatever changed since the cache last looked. */
  resyncNow(): void {
    this.endSession({ reason: "resync" });
  }

  /** True once the first list has been cached and its add handlers have run (or, with `forbiddenIsUnavailable`, was refused). */
  hasSynced(): boolean {
    return this.synced;
  }

  /** The API server's refusal when the informer may not list its resource (`forbiddenIsUnavailable`); else undefined. */
  unavailable(): unknown {
    return this.forbidden;
  }

  waitForSync(signal?: AbortSignal): Promise<void> {
    if (this.synced) return Promise.resolve();
    if (signal?.aborted) return Promise.reject(new Error("aborted while waiting for the informer to sync"));
    return new Promise((resolve, reject) => {
      const waiter = { resolve, reject };
      this.syncWaiters.push(waiter);
      signal?.addEventListener(
        "abort",
        () => {
          this.syncWaiters = this.syncWaiters.filter((w) => w !== waiter);
          reject(new Error("aborted while waiting for the informer to sync"));
        },
        { once: true },
      );
    });
  }

  /** `namespace` is ignored (pass "" or undefined) for cluster-scoped resources. */
  get(namespace: string | undefined, name: string): T | undefined {
    return this.objects.get(namespace ?? "")?.get(name);
  }

  list(namespace?: string): T[] {
    if (namespace !== undefined) return [...(this.objects.get(namespace)?.values() ?? [])];
    const all: T[] = [];
    for (const byName of this.objects.values()) all.push(...byName.values());
    return all;
  }

  byIndex(indexName: string, value: string): T[] {
    const index = this.indices.get(indexName);
    if (!index) throw new Error(`no index named ${indexName}`);
    const found: T[] = [];
    for (const key of index.get(value) ?? []) {
      const [namespace, name] = splitKey(key);
      const obj = this.get(namespace, name);
      if (obj) found.push(obj);
    }
    return found;
  }

  // ---- the list-then-watch loop ----

  private async run(generation: number): Promise<void> {
    const current = () => this.running && this.generation === generation;
    let failures = 0;
    let previous: WatchEnd["reason"] | undefined;
    while (current()) {
      let end: WatchEnd;
      try {
        if (this.resourceVersion === undefined) await this.relist(current);
        await this.options.rateLimiter?.acquire();
        end = current() ? await this.watchOnce() : { reason: "stopped" };
      } catch (error) {
        // Only the list throws; a continue token that expired mid-list is a 410 like any other.
        end = { reason: isGone(error) ? "gone" : "error", error };
        if (this.options.forbiddenIsUnavailable && errorCode(error) === 403) this.markForbidden(error);
      }
      if (!current() || end.reason === "stopped") break;

      if (end.reason === "gone" || end.reason === "resync") this.resourceVersion = undefined;
      // A watch refused after the permission was revoked: re-list, so that the refusal is recorded.
      if (this.options.forbiddenIsUnavailable && errorCode(end.error) === 403)
        this.resourceVersion = undefined;
      // A 410 straight after a fresh list would loop list-watch-410 at full speed: back off on the second.
      const failed = end.reason === "error" || (end.reason === "gone" && previous === "gone");
      previous = end.reason;
      failures = failed ? failures + 1 : 0;
      this.options.onRestart?.(end.reason);
      const meta = { resource: this.path, reason: end.reason, failures };
      if (failed) {
        const delayMs = jitteredBackoffMs(failures, this.options.backoff ?? DEFAULT_BACKOFF, this.random);
        // A refusal already told once (markForbidden) is retried quietly: it is the install's choice.
        const log = this.forbidden !== undefined ? this.options.logger?.debug : this.options.logger?.warn;
        log?.call(this.options.logger, "informer restarting after an error", {
          ...meta,
          delayMs,
          error: errorMessage(end.error),
        });
        await this.sleep(delayMs);
      } else {
        this.options.logger?.debug("informer restarting", meta);
      }
    }
  }

  /** Lists every page and reconciles the cache with it, firing handlers for the differences. */
  private async relist(current: () => boolean): Promise<void> {
    const items: T[] = [];
    let continueToken: string | undefined;
    let resourceVersion = "";
    do {
      const page = await this.listFn({
        labelSelector: this.options.labelSelector,
        limit: this.options.pageSize ?? 500,
        continue: continueToken,
      });
      const kind = page.kind?.replace(/List$/, "");
      for (const item of page.items) {
        // List items come without apiVersion and kind; event references and SSA need them.
        item.apiVersion ??= page.apiVersion;
        item.kind ??= kind;
        // Slimmed page by page: holding every page's managedFields until the last page arrived
        // was most of the operator's peak memory on a start with 10,000 groups.
        items.push(this.prepare(item));
      }
      // Raw JSON says `continue`; client-node's model calls it `_continue` (a reserved word in its generator).
      const listMeta = page.metadata as { continue?: string; _continue?: string } | undefined;
      continueToken = listMeta?.continue || listMeta?._continue || undefined;
      resourceVersion = page.metadata?.resourceVersion ?? "";
    } while (continueToken && current());
    if (!current()) return;

    const initial = !this.synced;
    const listed = new Set<string>();
    for (const obj of items) {
      const key = objectKey(obj);
      listed.add(key);
      const old = this.getByKey(key);
      if (old && old.metadata?.resourceVersion === obj.metadata?.resourceVersion) {
        if (!initial) this.notify((h) => h.onResync?.(old));
        continue;
      }
      this.store(key, obj, old);
    }
    for (const [namespace, byName] of this.objects) {
      for (const [name, obj] of byName) {
        const key = joinKey(namespace, name);
        if (!listed.has(key)) this.remove(key, obj);
      }
    }
    this.resourceVersion = resourceVersion;
    if (this.forbidden !== undefined) {
      this.forbidden = undefined;
      this.options.logger?.info("informer permitted again; cache available", { resource: this.path });
    }
    if (initial) {
      this.synced = true;
      for (const waiter of this.syncWaiters.splice(0)) waiter.resolve();
    }
  }

  /** Runs one watch from `resourceVersion` and resolves with why it ended. */
  private watchOnce(): Promise<WatchEnd> {
    return new Promise((resolve) => {
      const startedAt = Date.now();
      let events = 0;
      let abort: AbortController | undefined;
      let silenceTimer: NodeJS.Timeout | undefined;

      const session: WatchSession = {
        ended: false,
        lastEventAt: startedAt,
        finish: (end) => {
          if (session.ended) return;
          session.ended = true;
          clearTimeout(silenceTimer);
          abort?.abort(); // closes the socket; a Watch never aborted keeps its connection open
          if (this.session === session) this.session = undefined;
          resolve(end);
        },
      };
      this.session = session;

      // One timer per watch, re-armed for the remainder instead of reset on every event.
      const checkSilence = () => {
        const quietFor = Date.now() - session.lastEventAt;
        if (quietFor >= this.silenceTimeoutMs) {
          this.options.logger?.warn("informer watch silent; restarting", { resource: this.path, quietFor });
          session.finish({ reason: "silence" });
        } else {
          silenceTimer = setTimeout(checkSilence, this.silenceTimeoutMs - quietFor);
          silenceTimer.unref();
        }
      };
      silenceTimer = setTimeout(checkSilence, this.silenceTimeoutMs);
      silenceTimer.unref();

      const onEvent = (type: string, obj: unknown) => {
        if (session.ended) return; // late lines from an aborted request
        session.lastEventAt = Date.now();
        events++;
        this.applyWatchEvent(type, obj, session);
      };
      const onDone = (err: unknown) => {
        if (err) {
          session.finish({ reason: isGone(err) ? "gone" : "error", error: err });
        } else {
          // The server closes watches at their timeoutSeconds. One that closes at once with nothing
          // to say (a proxy refusing long requests, say) is a failure, or we would spin.
          const healthy = events > 0 || Date.now() - startedAt >= MIN_HEALTHY_WATCH_MS;
          session.finish(
            healthy ? { reason: "closed" } : { reason: "error", error: new Error("watch closed at once") },
          );
        }
      };

      const query = {
        resourceVersion: this.resourceVersion,
        allowWatchBookmarks: true,
        labelSelector: this.options.labelSelector,
        timeoutSeconds: watchTimeoutSeconds(this.random),
      };
      this.watchSource.watch(this.path, query, onEvent, onDone).then(
        (controller) => {
          abort = controller;
          // Ended while connecting (stop, restart): the request only now became abortable.
          if (session.ended) controller.abort();
        },
        (error: unknown) => session.finish({ reason: "error", error }),
      );
    });
  }

  private applyWatchEvent(type: string, raw: unknown, session: WatchSession): void {
    if (!isObject(raw)) return;
    if (type === "ERROR") {
      // A Status: 410 when our resourceVersion has been compacted away.
      const code = typeof raw.code === "number" ? raw.code : undefined;
      const error = new Error(`watch error ${code ?? ""}: ${String(raw.message ?? "")}`);
      session.finish(code === 410 ? { reason: "gone", error } : { reason: "error", error });
      return;
    }
    const obj = raw as T;
    const resourceVersion = obj.metadata?.resourceVersion;
    if (type === "ADDED" || type === "MODIFIED") {
      const prepared = this.prepare(obj);
      const key = objectKey(prepared);
      this.store(key, prepared, this.getByKey(key));
    } else if (type === "DELETED") {
      const key = objectKey(obj);
      const old = this.getByKey(key);
      // Hand out the delete's final state, slimmed like everything else the handlers see.
      if (old) this.remove(key, this.prepare(obj));
    } else if (type !== "BOOKMARK") {
      return;
    }
    if (resourceVersion) this.resourceVersion = resourceVersion;
  }

  /** Records a 403 list: synced (nothing to wait for) but unavailable, told once until it clears. */
  private markForbidden(error: unknown): void {
    if (this.forbidden === undefined) {
      this.options.logger?.warn("informer may not list its resource; running without this cache", {
        resource: this.path,
        error: errorMessage(error),
      });
    }
    this.forbidden = error;
    if (!this.synced) {
      this.synced = true;
      for (const waiter of this.syncWaiters.splice(0)) waiter.resolve();
    }
  }

  // ---- the cache ----

  private prepare(obj: T): T {
    if (obj.metadata?.managedFields) delete obj.metadata.managedFields;
    const transform = this.options.transform;
    if (!transform) return obj;
    try {
      return transform(obj);
    } catch (error) {
      this.options.logger?.error("informer transform failed; caching the object untransformed", {
        resource: this.path,
        error: errorMessage(error),
      });
      return obj;
    }
  }

  private getByKey(key: string): T | undefined {
    const [namespace, name] = splitKey(key);
    return this.get(namespace, name);
  }

  private store(key: string, obj: T, old: T | undefined): void {
    const [namespace, name] = splitKey(key);
    let byName = this.objects.get(namespace);
    if (!byName) {
      byName = new Map();
      this.objects.set(namespace, byName);
    }
    byName.set(name, obj);
    if (old) this.unindex(key, old);
    this.index(key, obj);
    if (old) this.notify((h) => h.onUpdate?.(old, obj));
    else this.notify((h) => h.onAdd?.(obj));
  }

  private remove(key: string, lastState: T): void {
    const [namespace, name] = splitKey(key);
    const byName = this.objects.get(namespace);
    const cached = byName?.get(name);
    if (!byName || !cached) return;
    byName.delete(name);
    if (byName.size === 0) this.objects.delete(namespace);
    this.unindex(key, cached);
    this.notify((h) => h.onDelete?.(lastState));
  }

  private index(key: string, obj: T): void {
    for (const [indexName, values] of this.indexValues(obj)) {
      const index = this.indices.get(indexName);
      if (!index) continue;
      for (const value of values) {
        let keys = index.get(value);
        if (!keys) {
          keys = new Set();
          index.set(value, keys);
        }
        keys.add(key);
      }
    }
  }

  private unindex(key: string, obj: T): void {
    for (const [indexName, values] of this.indexValues(obj)) {
      const index = this.indices.get(indexName);
      for (const value of values) {
        const keys = index?.get(value);
        keys?.delete(key);
        if (keys?.size === 0) index?.delete(value);
      }
    }
  }

  private indexValues(obj: T): Array<[string, readonly string[]]> {
    const result: Array<[string, readonly string[]]> = [];
    for (const [name, fn] of this.indexers) {
      try {
        result.push([name, fn(obj)]);
      } catch (error) {
        this.options.logger?.error("informer index function failed", {
          resource: this.path,
          index: name,
          error: errorMessage(error),
        });
      }
    }
    return result;
  }

  /**
   * Runs a handler so that nothing it does can break the informer: throws are logged, and so is
   * the rejection of a handler that was written async despite the synchronous contract.
   */
  private notify(call: (handlers: InformerHandlers<T>) => unknown): void {
    for (const handlers of this.handlers) {
      try {
        const result = call(handlers);
        if (result instanceof Promise) result.catch((error: unknown) => this.logHandlerError(error));
      } catch (error) {
        this.logHandlerError(error);
      }
    }
  }

  private logHandlerError(error: unknown): void {
    this.options.logger?.error("informer event handler failed", {
      resource: this.path,
      error: errorMessage(error),
    });
  }

  private endSession(end: WatchEnd): void {
    this.session?.finish(end);
  }

  private sleep(ms: number): Promise<void> {
    const sleep = wakeableSleep(ms);
    this.wakeFromSleep = sleep.wake;
    return sleep.done;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

/** `namespace/name`, or `/name` for cluster-scoped objects: the split is unambiguous either way. */
function objectKey(obj: KubernetesObject): string {
  return joinKey(obj.metadata?.namespace ?? "", obj.metadata?.name ?? "");
}

function joinKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

function splitKey(key: string): [string, string] {
  const slash = key.indexOf("/");
  return [key.slice(0, slash), key.slice(slash + 1)];
}
