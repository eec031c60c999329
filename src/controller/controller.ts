// The ContainerGroup controller: caches feed a keyed work queue, workers reconcile keys. A change
// to a group or to any of its children wakes the group; nothing else does, and the queue owns
// retries, backoff and concurrency.
import type { KubeConfig, KubernetesObject, V1Pod } from "@kubernetes/client-node";
import type { OperatorSettings } from "../render/settings.js";
import type { KubeClient } from "../runtime/apply.js";
import { errorMessage } from "../runtime/apply.js";
import { EventRecorder } from "../runtime/events.js";
import { informerRestartsCounter } from "../runtime/informer.js";
import type { Logger } from "../runtime/logger.js";
import type { RuntimeMetrics } from "../runtime/metrics.js";
import type { InformerCache } from "../runtime/multi-namespace-informer.js";
import { runWorkers, WorkQueue } from "../runtime/workqueue.js";
import { computeUsage } from "../status/index.js";
import { Caches, groupKeyOf } from "./caches.js";
import type { ReconcilerDeps } from "./context.js";
import { DnsClaims } from "./dns-claims.js";
import { registerGroupMetrics } from "./metrics.js";
import { PodSecurity } from "./pod-security.js";
import { reconcile } from "./reconciler.js";
import { PodTombstones } from "./tombstones.js";
import { WrittenStatuses } from "./written-status.js";

export const CONTROLLER_NAME = "containergroup";

export interface ControllerOptions {
  kubeConfig: KubeConfig;
  client: KubeClient;
  /**
   * Client for Events, with a rate limiter of its own (as client-go's event broadcaster has), so
   * that telling users what happened never slows down doing it. Default: `client`.
   */
  eventClient?: KubeClient;
  settings: OperatorSettings;
  logger: Logger;
  metrics: RuntimeMetrics;
  workers: number;
  usageIntervalSeconds: number;
  resyncIntervalMs: number;
  /** Reconcile groups in these namespaces only (one informer each); undefined or empty: all. */
  namespaces?: readonly string[];
  /** The operator's own namespace: where its cluster-wide DNS name claims live. Default "default". */
  operatorNamespace?: string;
  /** This replica's name, for Events' reportingInstance. */
  identity: string;
  now?: () => Date;
  /** Longest retry delay for a failing group. */
  maxBackoffMs?: number;
}

export class ContainerGroupController {
  readonly caches: Caches;
  readonly dnsClaims: DnsClaims;
  readonly podSecurity: PodSecurity;
  readonly queue: WorkQueue;
  private readonly deps: ReconcilerDeps;
  private readonly options: ControllerOptions;
  private workers: Promise<void> | undefined;

  constructor(options: ControllerOptions) {
    this.options = options;
    const log = options.logger.child({ controller: CONTROLLER_NAME });
    const restarts = informerRestartsCounter(options.metrics.registry);
    this.caches = new Caches({
      kubeConfig: options.kubeConfig,
      client: options.client,
      ...(options.namespaces ? { namespaces: options.namespaces } : {}),
      resyncIntervalMs: options.resyncIntervalMs,
      logger: log,
      onRestart: (resource, reason) => restarts.inc({ resource, reason }),
    });
    this.dnsClaims = new DnsClaims({
      kubeConfig: options.kubeConfig,
      client: options.client,
      namespace: options.operatorNamespace || "default",
      resyncIntervalMs: options.resyncIntervalMs,
      logger: log,
      onRestart: (reason) => restarts.inc({ resource: "leases", reason }),
    });
    this.podSecurity = new PodSecurity({
      kubeConfig: options.kubeConfig,
      client: options.client,
      mode: options.settings.podSecurity,
      resyncIntervalMs: options.resyncIntervalMs,
      logger: log,
      onRestart: (reason) => restarts.inc({ resource: "namespaces", reason }),
    });
    this.queue = new WorkQueue({
      name: CONTROLLER_NAME,
      metrics: options.metrics,
      backoff: { baseDelayMs: 5, maxDelayMs: options.maxBackoffMs ?? 120_000, jitterFraction: 0.1 },
    });
    this.deps = {
      client: options.client,
      caches: this.caches,
      settings: options.settings,
      recorder: new EventRecorder({
        client: options.eventClient ?? options.client,
        reportingController: "containerinstances.dev/container-instances-operator",
        reportingInstance: options.identity,
        logger: log,
      }),
      log,
      now: options.now ?? (() => new Date()),
      usageIntervalSeconds: options.usageIntervalSeconds,
      tombstones: new PodTombstones(),
      written: new WrittenStatuses(),
      dnsClaims: this.dnsClaims,
      podSecurity: this.podSecurity,
    };
    registerGroupMetrics(
      options.metrics.registry,
      () => this.caches.groups.list(),
      (group) =>
        computeUsage(group.status?.usage, this.caches.podOf(group), options.settings, this.deps.now()),
    );
    this.watch();
  }

  /** Wires every informer to the queue. Handlers are synchronous and only enqueue keys. */
  private watch(): void {
    const { caches, queue } = this;
    const enqueueGroup = (obj: KubernetesObject) => {
      const { namespace, name } = obj.metadata ?? {};
      if (namespace && name) queue.add(`${namespace}/${name}`);
    };
    caches.groups.addHandlers({
      onAdd: enqueueGroup,
      // Status writes change the resourceVersion but not the generation, annotations or
      // finalizers: skip those, or every status write would wake its own group again.
      onUpdate: (before, after) => {
        const a = before.metadata ?? {};
        const b = after.metadata ?? {};
        if (
          a.generation !== b.generation ||
          a.deletionTimestamp !== b.deletionTimestamp ||
          JSON.stringify(a.annotations) !== JSON.stringify(b.annotations) ||
          JSON.stringify(a.finalizers) !== JSON.stringify(b.finalizers)
        ) {
          enqueueGroup(after);
        }
      },
      onDelete: enqueueGroup,
    });
    const enqueueOwner = (child: KubernetesObject) => {
      const key = groupKeyOf(child);
      if (key) queue.add(key);
    };
    const children: InformerCache<KubernetesObject>[] = [
      caches.services,
      caches.secrets,
      caches.claims,
      caches.volumes,
      caches.networkPolicies,
    ] as unknown as InformerCache<KubernetesObject>[];
    for (const informer of children) {
      informer.addHandlers({
        onAdd: enqueueOwner,
        onUpdate: (_, after) => enqueueOwner(after),
        onDelete: enqueueOwner,
      });
    }
    caches.pods.addHandlers({
      onAdd: enqueueOwner,
      onUpdate: (_, after) => enqueueOwner(after),
      onDelete: (pod: V1Pod) => {
        this.rememberDeletedPod(pod);
        enqueueOwner(pod);
      },
    });
    // A RuntimeClass appearing or going changes what every group can do; they are rare.
    const everyGroup = () => {
      for (const group of caches.groups.list()) enqueueGroup(group);
    };
    caches.runtimeClasses.addHandlers({ onAdd: everyGroup, onDelete: everyGroup });
    // A namespace's Pod Security level decides what its groups' Pods look like and whether
    // admission takes them: a changed enforce label retries its refused groups at once.
    this.podSecurity.onLevelChange((namespace) => {
      for (const group of caches.groups.list(namespace)) enqueueGroup(group);
    });
    // A released DNS name claim (its holder deleted, renamed or gone) wakes the groups waiting for
    // that name at once, whichever operator or namespace held it; backoff retries are the fallback.
    this.dnsClaims.informer.addHandlers({
      onDelete: (lease) => {
        const waiting = this.dnsClaims.waiters(
          lease.metadata?.name ?? "",
          caches.groups.list(),
          this.deps.settings,
        );
        for (const group of waiting) enqueueGroup(group);
      },
    });
  }

  /** A Pod deleted by anyone: its last state closes its usage and keeps a finished run's outcome. */
  private rememberDeletedPod(pod: V1Pod): void {
    const key = groupKeyOf(pod);
    const owner = pod.metadata?.ownerReferences?.find((r) => r.controller);
    if (!key || !owner) return;
    const closed = pod.metadata?.deletionTimestamp
      ? pod
      : { ...pod, metadata: { ...pod.metadata, deletionTimestamp: this.deps.now() } };
    this.deps.tombstones.remember(key, owner.uid, closed);
  }

  /** Starts the caches; resolves when they are synced. */
  async startCaches(signal?: AbortSignal): Promise<void> {
    this.caches.start();
    this.dnsClaims.start();
    this.podSecurity.start();
    await Promise.all([
      this.caches.waitForSync(signal),
      this.dnsClaims.waitForSync(signal),
      this.podSecurity.waitForSync(signal),
    ]);
  }

  /** Starts the workers (call once the caches are synced and, with leader election, once leading). */
  startWorkers(): void {
    if (this.workers) return;
    for (const group of this.caches.groups.list()) {
      this.queue.add(`${group.metadata.namespace}/${group.metadata.name}`);
    }
    this.workers = runWorkers({
      queue: this.queue,
      workers: this.options.workers,
      handler: (key) => reconcile(key, this.deps),
      controller: CONTROLLER_NAME,
      metrics: this.options.metrics,
      onError: (key, error, retrying) =>
        this.deps.log.error("reconcile failed", { key, error: errorMessage(error), retrying }),
    });
  }

  /** Stops taking keys, lets the keys in flight finish, then stops the caches. */
  async stop(): Promise<void> {
    await this.queue.shutDownWithDrain();
    await this.workers;
    await this.deps.recorder.flush();
    await Promise.all([this.caches.stop(), this.dnsClaims.stop(), this.podSecurity.stop()]);
  }
}
