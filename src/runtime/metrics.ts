import { Counter, collectDefaultMetrics, exponentialBuckets, Gauge, Histogram, Registry } from "prom-client";

/**
 * Prometheus metrics of the controller runtime, under the names controller-runtime and client-go
 * publish, so dashboards and alerts written for Go operators work unchanged.
 *
 * Each call builds its own Registry (never prom-client's global one): tests and a second controller in
 * the same process cannot collide on metric names. Product code registers its own metrics on
 * `metrics.registry`.
 */

export type ReconcileResultLabel = "success" | "error" | "requeue" | "requeue_after";

/** Snapshot of a work queue's in-flight work, read at scrape time. */
export interface UnfinishedWork {
  /** Sum over keys being processed of how long each has been processing. */
  unfinishedSeconds: number;
  /** How long the oldest key still being processed has been processing. */
  longestRunningSeconds: number;
}

export interface RuntimeMetrics {
  readonly registry: Registry;
  readonly reconcileTotal: Counter<"controller" | "result">;
  readonly reconcileErrorsTotal: Counter<"controller">;
  readonly reconcileTimeSeconds: Histogram<"controller">;
  readonly activeWorkers: Gauge<"controller">;
  readonly maxConcurrentReconciles: Gauge<"controller">;
  readonly workqueueDepth: Gauge<"name">;
  readonly workqueueAddsTotal: Counter<"name">;
  readonly workqueueQueueDurationSeconds: Histogram<"name">;
  readonly workqueueWorkDurationSeconds: Histogram<"name">;
  readonly workqueueRetriesTotal: Counter<"name">;
  readonly workqueueUnfinishedWorkSeconds: Gauge<"name">;
  readonly workqueueLongestRunningProcessorSeconds: Gauge<"name">;
  readonly leaderElectionMasterStatus: Gauge<"name">;
  readonly restClientRequestsTotal: Counter<"code" | "method">;
  /**
   * Lets a queue report its in-flight work; the two gauges are computed on each scrape rather than
   * by a timer. Returns a function that stops the reporting.
   */
  trackUnfinishedWork(queueName: string, probe: () => UnfinishedWork): () => void;
  /** Hook for the API client: count one request by HTTP method and status code (or "<error>"). */
  recordRestClientRequest(method: string, code: number | string): void;
}

export interface CreateMetricsOptions {
  /** Add prom-client's process and Node.js metrics (CPU, memory, event loop lag). Default true. */
  processMetrics?: boolean;
}

// controller-runtime's reconcile_time_seconds buckets: fine below a second, coarse up to a minute.
const RECONCILE_TIME_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.25,
  1.5, 1.75, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60,
];
// client-go's workqueue buckets: 10ns to 1000s, one per decade.
const WORKQUEUE_DURATION_BUCKETS = exponentialBuckets(10e-9, 10, 12);

export function createMetrics(options: CreateMetricsOptions = {}): RuntimeMetrics {
  const registry = new Registry();
  const registers = [registry];
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });

  const unfinishedWorkProbes = new Map<string, () => UnfinishedWork>();

  const metrics: RuntimeMetrics = {
    registry,
    reconcileTotal: new Counter({
      name: "controller_runtime_reconcile_total",
      help: "Total number of reconciliations per controller",
      labelNames: ["controller", "result"] as const,
      registers,
    }),
    reconcileErrorsTotal: new Counter({
      name: "controller_runtime_reconcile_errors_total",
      help: "Total number of reconciliation errors per controller",
      labelNames: ["controller"] as const,
      registers,
    }),
    reconcileTimeSeconds: new Histogram({
      name: "controller_runtime_reconcile_time_seconds",
      help: "Length of time per reconciliation per controller",
      labelNames: ["controller"] as const,
      buckets: RECONCILE_TIME_BUCKETS,
      registers,
    }),
    activeWorkers: new Gauge({
      name: "controller_runtime_active_workers",
      help: "Number of currently used workers per controller",
      labelNames: ["controller"] as const,
      registers,
    }),
    maxConcurrentReconciles: new Gauge({
      name: "controller_runtime_max_concurrent_reconciles",
      help: "Maximum number of concurrent reconciles per controller",
      labelNames: ["controller"] as const,
      registers,
    }),
    workqueueDepth: new Gauge({
      name: "workqueue_depth",
      help: "Current depth of workqueue",
      labelNames: ["name"] as const,
      registers,
    }),
    workqueueAddsTotal: new Counter({
      name: "workqueue_adds_total",
      help: "Total number of adds handled by workqueue",
      labelNames: ["name"] as const,
      registers,
    }),
    workqueueQueueDurationSeconds: new Histogram({
      name: "workqueue_queue_duration_seconds",
      help: "How long in seconds an item stays in workqueue before being requested",
      labelNames: ["name"] as const,
      buckets: WORKQUEUE_DURATION_BUCKETS,
      registers,
    }),
    workqueueWorkDurationSeconds: new Histogram({
      name: "workqueue_work_duration_seconds",
      help: "How long in seconds processing an item from workqueue takes",
      labelNames: ["name"] as const,
      buckets: WORKQUEUE_DURATION_BUCKETS,
      registers,
    }),
    workqueueRetriesTotal: new Counter({
      name: "workqueue_retries_total",
      help: "Total number of retries handled by workqueue",
      labelNames: ["name"] as const,
      registers,
    }),
    workqueueUnfinishedWorkSeconds: new Gauge({
      name: "workqueue_unfinished_work_seconds",
      help:
        "How many seconds of work has been done that is in progress and hasn't been observed by " +
        "work_duration. Large values indicate stuck threads.",
      labelNames: ["name"] as const,
      registers,
      collect() {
        for (const [name, probe] of unfinishedWorkProbes) this.set({ name }, probe().unfinishedSeconds);
      },
    }),
    workqueueLongestRunningProcessorSeconds: new Gauge({
      name: "workqueue_longest_running_processor_seconds",
      help: "How many seconds has the longest running processor for workqueue been running.",
      labelNames: ["name"] as const,
      registers,
      collect() {
        for (const [name, probe] of unfinishedWorkProbes) this.set({ name }, probe().longestRunningSeconds);
      },
    }),
    leaderElectionMasterStatus: new Gauge({
      name: "leader_election_master_status",
      help: "Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master.",
      labelNames: ["name"] as const,
      registers,
    }),
    restClientRequestsTotal: new Counter({
      name: "rest_client_requests_total",
      help: "Number of HTTP requests, partitioned by status code and method.",
      labelNames: ["code", "method"] as const,
      registers,
    }),
    trackUnfinishedWork(queueName, probe) {
      unfinishedWorkProbes.set(queueName, probe);
      return () => {
        if (unfinishedWorkProbes.get(queueName) !== probe) return;
        unfinishedWorkProbes.delete(queueName);
        // A stopped queue has no in-flight work: drop its series rather than freeze the last value.
        metrics.workqueueUnfinishedWorkSeconds.remove({ name: queueName });
        metrics.workqueueLongestRunningProcessorSeconds.remove({ name: queueName });
      };
    },
    recordRestClientRequest(method, code) {
      metrics.restClientRequestsTotal.inc({ method: method.toUpperCase(), code: String(code) });
    },
  };
  return metrics;
}
