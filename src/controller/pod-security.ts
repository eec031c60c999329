// Pod Security: which namespaces enforce `restricted` (so that `--pod-security=auto` renders Pods
// that pass it), and the slow retry of groups whose Pod admission refused. Namespaces are read
// through an informer when the operator may list them (then a changed enforce label re-renders the
// namespace's groups at once); a namespaced install may not, and then each watched namespace is
// read with a GET, cached for a while; when even that is refused, the label counts as unknown
// (the usual Pods), said once in the log and in the condition of any group admission refuses.
import type { KubeConfig, V1Namespace } from "@kubernetes/client-node";
import type { OperatorSettings, PodSecurityMode } from "../render/settings.js";
import { errorMessage, isForbidden, type KubeClient } from "../runtime/apply.js";
import { type LogSink, ResilientInformer, type RestartReason } from "../runtime/informer.js";
import type { StatusProblem } from "../status/index.js";

export const ENFORCE_LABEL = "pod-security.kubernetes.io/enforce";

/** What the renderer is given: `auto` resolved against the namespace's enforce label. */
export function resolvePodSecurity(
  mode: PodSecurityMode,
  enforceLevel: string | undefined,
): Exclude<PodSecurityMode, "auto"> {
  if (mode !== "auto") return mode;
  // baseline needs nothing beyond the usual Pods (never privileged, RuntimeDefault seccomp), and
  // restricted Pods would keep root images from starting there for no gain.
  return enforceLevel === "restricted" ? "restricted" : "off";
}

/**
 * Delay before retrying a group that only a change can fix: 30 s, doubling per failed attempt of
 * the same generation, at most 10 minutes (the ReplicaSet controller backs FailedCreate off too).
 */
export const SLOW_RETRY_BASE_MS = 30_000;
export const SLOW_RETRY_MAX_MS = 600_000;

export function slowRetryDelayMs(attempt: number): number {
  return Math.min(SLOW_RETRY_BASE_MS * 2 ** Math.max(0, attempt - 1), SLOW_RETRY_MAX_MS);
}

/** Per-group attempt counts for the slow retry; a new generation starts again. */
export class SlowRetries {
  private readonly attempts = new Map<string, { generation: number; count: number }>();

  /** Counts one more refused attempt and returns the delay before the next. */
  next(key: string, generation: number): number {
    const seen = this.attempts.get(key);
    const count = seen && seen.generation === generation ? seen.count + 1 : 1;
    this.attempts.set(key, { generation, count });
    return slowRetryDelayMs(count);
  }

  forget(key: string): void {
    this.attempts.delete(key);
  }
}

export interface PodSecurityOptions {
  kubeConfig: KubeConfig;
  client: KubeClient;
  mode: PodSecurityMode;
  resyncIntervalMs: number;
  logger: LogSink;
  onRestart?: (reason: RestartReason) => void;
  /** How long a namespace read with GET (no list permission) is trusted. Default 60 s. */
  getCacheMs?: number;
  now?: () => number;
}

/** Only the name and labels of a namespace are kept. */
function slimNamespace(ns: V1Namespace): V1Namespace {
  return {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name: ns.metadata?.name ?? "", labels: ns.metadata?.labels ?? {} },
  };
}

const enforceOf = (ns: V1Namespace | undefined): string | undefined => ns?.metadata?.labels?.[ENFORCE_LABEL];

export class PodSecurity {
  readonly mode: PodSecurityMode;
  readonly retries = new SlowRetries();
  /** Undefined unless the mode is `auto`: the other modes never read namespaces. */
  readonly informer: ResilientInformer<V1Namespace> | undefined;
  private readonly options: PodSecurityOptions;
  private readonly fetched = new Map<string, { level: string | undefined; at: number }>();
  /** Namespaces whose labels the operator may not read at all. */
  private readonly unreadable = new Set<string>();

  constructor(options: PodSecurityOptions) {
    this.options = options;
    this.mode = options.mode;
    if (options.mode !== "auto") return;
    this.informer = new ResilientInformer<V1Namespace>({
      kubeConfig: options.kubeConfig,
      client: options.client,
      resource: { group: "", version: "v1", plural: "namespaces" },
      resyncIntervalMs: options.resyncIntervalMs,
      logger: options.logger,
      transform: slimNamespace,
      // A namespaced install may not list namespaces: synced but unavailable, and read by GET.
      forbiddenIsUnavailable: true,
      ...(options.onRestart ? { onRestart: options.onRestart } : {}),
    });
  }

  /**
   * Calls `handler` with the namespace's name when its enforce label changes, and when a labelled
   * namespace is first seen: its groups may have been rendered before the namespace reached the cache.
   */
  onLevelChange(handler: (namespace: string) => void): void {
    this.informer?.addHandlers({
      onAdd: (ns) => {
        if (enforceOf(ns) !== undefined) handler(ns.metadata?.name ?? "");
      },
      onUpdate: (before, after) => {
        if (enforceOf(before) !== enforceOf(after)) handler(after.metadata?.name ?? "");
      },
    });
  }

  /** The settings to render the namespace's groups with: `podSecurity` resolved. */
  async settingsFor(namespace: string, settings: OperatorSettings): Promise<OperatorSettings> {
    if (this.mode !== "auto") return settings;
    const podSecurity = resolvePodSecurity(this.mode, await this.enforceLevel(namespace));
    return { ...settings, podSecurity };
  }

  /** The namespace's enforce label; undefined when it has none or cannot be read. */
  async enforceLevel(namespace: string): Promise<string | undefined> {
    const informer = this.informer;
    if (!informer) return undefined;
    if (informer.unavailable() === undefined) return enforceOf(informer.get(undefined, namespace));
    const now = (this.options.now ?? Date.now)();
    const cached = this.fetched.get(namespace);
    if (cached && now - cached.at < (this.options.getCacheMs ?? 60_000)) return cached.level;
    let level: string | undefined;
    try {
      const ns = await this.options.client.getIfExists<V1Namespace>({
        apiVersion: "v1",
        kind: "Namespace",
        metadata: { name: namespace },
      });
      level = enforceOf(ns);
      this.unreadable.delete(namespace);
    } catch (e) {
      if (!isForbidden(e)) throw e;
      if (!this.unreadable.has(namespace)) {
        this.options.logger.warn(
          "may not read the namespace's labels; its groups get the usual Pods (--pod-security=auto)",
          { namespace, error: errorMessage(e) },
        );
      }
      this.unreadable.add(namespace);
    }
    this.fetched.set(namespace, { level, at: now });
    return level;
  }

  /** Adds what to do to a violation in a namespace whose label the operator could not read. */
  explain(namespace: string, problems: StatusProblem[]): void {
    if (!this.unreadable.has(namespace)) return;
    for (const problem of problems) {
      if (problem.reason !== "PodSecurityViolation") continue;
      problem.message +=
        " The operator may not read this namespace's labels, so it rendered its usual Pod: grant it get on " +
        "namespaces, or start it with --pod-security=restricted.";
    }
  }

  start(): void {
    this.informer?.start();
  }

  async waitForSync(signal?: AbortSignal): Promise<void> {
    await this.informer?.waitForSync(signal);
  }

  hasSynced(): boolean {
    return this.informer?.hasSynced() ?? true;
  }

  async stop(): Promise<void> {
    await this.informer?.stop();
  }
}
