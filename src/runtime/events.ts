import type { KubernetesObject } from "@kubernetes/client-node";
import { errorMessage, isNotFound, type KubeClient } from "./apply.js";
import type { LogSink } from "./informer.js";

/**
 * Records Kubernetes Events about objects, for humans reading `kubectl describe` and `kubectl events`.
 *
 * Writes `events.k8s.io/v1` Events, as client-go's newer `tools/events` recorder does. The API server
 * stores one Event type behind both APIs, so `kubectl describe` (which reads core v1 Events) shows
 * them too: `regarding` becomes `involvedObject`, `note` the message, `reportingController` "From".
 *
 * Repeats are folded: the same (object uid, type, reason, action, note) within `dedupeWindowMs` of
 * its last occurrence bumps `series.count` on the existing Event instead of creating one more. At
 * most one write per series is in flight; repeats that arrive meanwhile are carried by the next
 * write, so a hot loop produces a handful of patches, not one per call. The memory of series is an
 * LRU of `maxSeries` entries.
 *
 * `record` is fire-and-forget: it never throws, never waits, and a failed write is only logged, so
 * an API server that refuses Events can never fail or slow a reconcile. Writes still pass through
 * the client's rate limiter, so a storm of Events cannot starve the reconciles' own requests.
 *
 * Secrets: the note is written as given, and Events are readable by anyone who may read the
 * namespace's events (often far more people than may read its Secrets). Callers must never put a
 * secret value, a credential or an environment variable's value in a note.
 */

export type EventType = "Normal" | "Warning";

export interface ObjectReference {
  apiVersion?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
}

export interface EventInput {
  type: EventType;
  /** Why, in UpperCamelCase, short and machine-readable: `PodCreated`, `ImagePullFailed`. */
  reason: string;
  /** What the controller did or failed to do, in UpperCamelCase: `Creating`, `Deleting`. */
  action: string;
  /** For humans; at most 1 KiB is kept. Never include secret values (see above). */
  note: string;
  /** A second object the event is about, e.g. the Pod behind a group's failure. */
  related?: KubernetesObject;
}

/** The two calls the recorder makes; a `KubeClient` (with its rate limiter and metrics) in production. */
export type EventWriter = Pick<KubeClient, "create" | "patch">;

export interface EventRecorderOptions {
  /** Carries the rate limiter and metrics every write goes through. */
  client: EventWriter;
  /** The controller's name, e.g. `example.com/my-controller`: the "From" of `kubectl describe`. */
  reportingController: string;
  /** This replica, usually the Pod name. */
  reportingInstance: string;
  logger?: LogSink;
  /** A repeat this soon after the last occurrence joins its series. Default 10 min. */
  dedupeWindowMs?: number;
  /** How many series are remembered. Default 4096. */
  maxSeries?: number;
  /** Series with a write in flight beyond this are dropped, so an API outage cannot grow memory. Default 1000. */
  maxInFlight?: number;
  now?: () => number;
}

/** The Events API rejects notes longer than 1 KiB. */
const MAX_NOTE_LENGTH = 1024;
/** Event names are `<object name>.<hex time>`; this leaves room for the suffix within 253. */
const MAX_NAME_PREFIX = 230;

interface Series {
  namespace: string;
  /** Set once the Event exists. */
  eventName: string | undefined;
  /** Occurrences seen. */
  count: number;
  /** Occurrences the API server has been told about. */
  writtenCount: number;
  lastObservedAt: number;
  writing: boolean;
}

/** A Map used as a least-recently-used cache: reads move an entry to the back, inserts evict the front. */
export class LruMap<K, V> {
  private readonly entries = new Map<K, V>();
  constructor(private readonly capacity: number) {}

  get(key: K): V | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}

/** What makes two events "the same" for folding into one series. */
export function eventSeriesKey(regarding: KubernetesObject, event: EventInput): string {
  const m = regarding.metadata;
  // Objects that never came from the API server have no uid; fall back to their identity.
  const identity =
    m?.uid ?? `${regarding.apiVersion}/${regarding.kind}/${m?.namespace ?? ""}/${m?.name ?? ""}`;
  return [identity, event.type, event.reason, event.action, event.note].join("\u0000");
}

/** The Events API's MicroTime: RFC 3339 with exactly six fractional digits. */
export function microTime(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

export function objectReference(obj: KubernetesObject): ObjectReference {
  return {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    name: obj.metadata?.name,
    namespace: obj.metadata?.namespace,
    uid: obj.metadata?.uid,
    resourceVersion: obj.metadata?.resourceVersion,
  };
}

export class EventRecorder {
  private readonly options: EventRecorderOptions;
  private readonly series: LruMap<string, Series>;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly now: () => number;
  private nameSequence = 0;

  constructor(options: EventRecorderOptions) {
    this.options = options;
    this.series = new LruMap(options.maxSeries ?? 4096);
    this.now = options.now ?? Date.now;
  }

  /** Records an event about `regarding` in the background. Never throws, never blocks. */
  record(regarding: KubernetesObject, event: EventInput): void {
    try {
      const key = eventSeriesKey(regarding, event);
      const now = this.now();
      let series = this.series.get(key);
      if (series && now - series.lastObservedAt <= (this.options.dedupeWindowMs ?? 10 * 60_000)) {
        series.count++;
        series.lastObservedAt = now;
      } else {
        series = {
          namespace: regarding.metadata?.namespace || "default", // cluster-scoped objects: as client-go
          eventName: undefined,
          count: 1,
          writtenCount: 0,
          lastObservedAt: now,
          writing: false,
        };
        this.series.set(key, series);
      }
      if (series.writing) return; // the write in flight picks up the new count when it finishes
      if (this.inFlight.size >= (this.options.maxInFlight ?? 1000)) {
        this.options.logger?.warn("dropping an event: too many event writes in flight", {
          reason: event.reason,
        });
        series.writtenCount = series.count;
        return;
      }
      series.writing = true;
      const write = this.writeSeries(key, series, regarding, event).finally(() => {
        series.writing = false;
        this.inFlight.delete(write);
      });
      this.inFlight.add(write);
    } catch (error) {
      this.options.logger?.error("event recorder failed", { error: errorMessage(error) });
    }
  }

  /** Resolves when every write started so far has finished (tests, graceful shutdown). */
  async flush(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  /** Writes until the API server knows the series' latest count. Never rejects. */
  private async writeSeries(key: string, series: Series, regarding: KubernetesObject, event: EventInput) {
    try {
      while (series.writtenCount < series.count) {
        const target = series.count;
        if (series.eventName === undefined) {
          series.eventName = await this.createEvent(series, regarding, event);
          series.writtenCount = 1;
          continue; // repeats that came in meanwhile are patched next
        }
        try {
          await this.options.client.patch(
            {
              apiVersion: "events.k8s.io/v1",
              kind: "Event",
              metadata: { name: series.eventName, namespace: series.namespace },
            },
            { series: { count: target, lastObservedTime: microTime(series.lastObservedAt) } },
            { type: "merge" },
          );
          series.writtenCount = target;
        } catch (error) {
          if (!isNotFound(error)) throw error;
          // The Event expired (the API server keeps them an hour) or was deleted: start a new one.
          series.eventName = undefined;
          series.count -= series.writtenCount;
          series.writtenCount = 0;
        }
      }
    } catch (error) {
      this.options.logger?.warn("could not write an event", {
        reason: event.reason,
        regarding: `${regarding.kind}/${regarding.metadata?.namespace ?? ""}/${regarding.metadata?.name ?? ""}`,
        error: errorMessage(error),
      });
      // Forget the series: the next occurrence starts afresh rather than patching an Event that may not exist.
      if (series.eventName === undefined) this.series.delete(key);
      series.writtenCount = series.count;
    }
  }

  private async createEvent(series: Series, regarding: KubernetesObject, event: EventInput): Promise<string> {
    const eventTime = this.now();
    const name = `${(regarding.metadata?.name ?? "object").slice(0, MAX_NAME_PREFIX)}.${this.uniqueSuffix(eventTime)}`;
    await this.options.client.create({
      apiVersion: "events.k8s.io/v1",
      kind: "Event",
      metadata: { name, namespace: series.namespace },
      eventTime: microTime(eventTime),
      reportingController: this.options.reportingController,
      reportingInstance: this.options.reportingInstance,
      action: event.action,
      reason: event.reason,
      note: event.note.slice(0, MAX_NOTE_LENGTH),
      type: event.type,
      regarding: objectReference(regarding),
      related: event.related ? objectReference(event.related) : undefined,
    });
    return name;
  }

  /** Hex nanoseconds like client-go's names, with a sequence in the sub-millisecond digits so names never collide. */
  private uniqueSuffix(epochMs: number): string {
    this.nameSequence = (this.nameSequence + 1) % 1_000_000;
    return (BigInt(epochMs) * 1_000_000n + BigInt(this.nameSequence)).toString(16);
  }
}
