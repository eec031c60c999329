import { Counter } from "prom-client";
import { describe, expect, it } from "vitest";
import { createMetrics } from "../../../src/runtime/metrics.js";

describe("createMetrics", () => {
  it("registers the metric names Kubernetes dashboards expect", async () => {
    const metrics = createMetrics({ processMetrics: false });
    const names = (await metrics.registry.getMetricsAsJSON()).map((metric) => metric.name);
    expect(names).toEqual(
      expect.arrayContaining([
        "controller_runtime_reconcile_total",
        "controller_runtime_reconcile_errors_total",
        "controller_runtime_reconcile_time_seconds",
        "controller_runtime_active_workers",
        "controller_runtime_max_concurrent_reconciles",
        "workqueue_depth",
        "workqueue_adds_total",
        "workqueue_queue_duration_seconds",
        "workqueue_work_duration_seconds",
        "workqueue_retries_total",
        "workqueue_unfinished_work_seconds",
        "workqueue_longest_running_processor_seconds",
        "leader_election_master_status",
        "rest_client_requests_total",
      ]),
    );
  });

  it("keeps each registry separate, so two can live in one process", async () => {
    const first = createMetrics({ processMetrics: false });
    const second = createMetrics({ processMetrics: false });
    first.reconcileErrorsTotal.inc({ controller: "groups" });
    expect(await second.registry.metrics()).not.toContain(
      'controller_runtime_reconcile_errors_total{controller="groups"}',
    );
  });

  it("adds process metrics unless told not to", async () => {
    const text = await createMetrics().registry.metrics();
    expect(text).toContain("process_cpu_seconds_total");
    expect(text).toContain("nodejs_eventloop_lag_seconds");
  });

  it("counts REST client requests by method and status code", async () => {
    const metrics = createMetrics({ processMetrics: false });
    metrics.recordRestClientRequest("get", 200);
    metrics.recordRestClientRequest("GET", 200);
    metrics.recordRestClientRequest("put", 409);
    const text = await metrics.registry.metrics();
    expect(text).toContain('rest_client_requests_total{method="GET",code="200"} 2');
    expect(text).toContain('rest_client_requests_total{method="PUT",code="409"} 1');
  });

  it("computes in-flight work gauges at scrape time from the queues that report it", async () => {
    const metrics = createMetrics({ processMetrics: false });
    const stop = metrics.trackUnfinishedWork("groups", () => ({
      unfinishedSeconds: 7,
      longestRunningSeconds: 4,
    }));
    let text = await metrics.registry.metrics();
    expect(text).toContain('workqueue_unfinished_work_seconds{name="groups"} 7');
    expect(text).toContain('workqueue_longest_running_processor_seconds{name="groups"} 4');
    stop();
    text = await metrics.registry.metrics();
    expect(text).not.toContain('workqueue_unfinished_work_seconds{name="groups"}');
  });

  it("lets product code register its own metrics on the same registry", async () => {
    const metrics = createMetrics({ processMetrics: false });
    const groups = new Counter({
      name: "product_things_total",
      help: "things",
      registers: [metrics.registry],
    });
    groups.inc();
    expect(await metrics.registry.metrics()).toContain("product_things_total 1");
  });
});
