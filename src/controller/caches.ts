// The controller's view of the cluster: one informer per kind it reads (per watched namespace when
// it watches a list of them). Children are selected by the managed-by label, so the operator caches
// only what it made, never every Pod in the cluster. Namespaced kinds are read only inside the
// watched namespaces; the cluster-scoped ones (PersistentVolumes, RuntimeClasses) may be refused in
// a namespaced install, and then count as synced but unavailable (see `unavailable()`).
import type {
  KubeConfig,
  KubernetesObject,
  V1Container,
  V1NetworkPolicy,
  V1PersistentVolume,
  V1PersistentVolumeClaim,
  V1Pod,
  V1RuntimeClass,
  V1Secret,
  V1Service,
} from "@kubernetes/client-node";
import { GROUP, GROUP_LABEL, MANAGED_BY_LABEL, MANAGED_BY_VALUE, PLURAL, VERSION } from "../api/constants.js";
import type { ContainerGroup } from "../api/types.js";
import { isControlledBy, podName } from "../render/index.js";
import { NAMESPACE_LABEL } from "../render/names.js";
import type { KubeClient, RequestRateLimiter } from "../runtime/apply.js";
import {
  type InformerOptions,
  type LogSink,
  ResilientInformer,
  type RestartReason,
} from "../runtime/informer.js";
import { type InformerCache, informerForNamespaces } from "../runtime/multi-namespace-informer.js";

export interface CacheOptions {
  kubeConfig: KubeConfig;
  client: KubeClient;
  rateLimiter?: RequestRateLimiter;
  /** Watch groups and their children in these namespaces only; undefined or empty: all namespaces. */
  namespaces?: readonly string[];
  resyncIntervalMs: number;
  logger: LogSink;
  onRestart?: (resource: string, reason: RestartReason) => void;
}

const managedBy = `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}`;

/** Index of children by the group they serve (`namespace/name`), read from their labels. */
export const BY_GROUP = "group";

/** The `namespace/name` key of the group a child serves, from its labels; undefined if none. */
export function groupKeyOf(child: KubernetesObject): string | undefined {
  const labels = child.metadata?.labels ?? {};
  const name = labels[GROUP_LABEL];
  const namespace = child.metadata?.namespace ?? labels[NAMESPACE_LABEL];
  return name && namespace ? `${namespace}/${name}` : undefined;
}

/**
 * Pods are most of the cache, and of a Pod's spec the controller reads only its containers' names and
 * resources (usage rates): the spec hash annotation stands for the rest. Everything else goes.
 */
export function slimPod(pod: V1Pod): V1Pod {
  if (!pod.spec) return pod;
  const keep = (containers: V1Container[] | undefined) =>
    containers?.map((c) => ({ name: c.name, ...(c.resources ? { resources: c.resources } : {}) }));
  const initContainers = keep(pod.spec.initContainers);
  pod.spec = {
    containers: keep(pod.spec.containers) ?? [],
    ...(initContainers ? { initContainers } : {}),
    ...(pod.spec.nodeName ? { nodeName: pod.spec.nodeName } : {}),
  };
  return pod;
}

const byGroup = { [BY_GROUP]: (obj: KubernetesObject) => [groupKeyOf(obj) ?? ""].filter(Boolean) };

const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

/**
 * Drops `kubectl apply`'s copy of the whole object, which the controller never reads: on a group
 * applied with kubectl it is about as large as the group itself.
 */
export function dropLastApplied<T extends KubernetesObject>(obj: T): T {
  const annotations = obj.metadata?.annotations;
  if (annotations?.[LAST_APPLIED] !== undefined) {
    const { [LAST_APPLIED]: _, ...rest } = annotations;
    if (obj.metadata) obj.metadata.annotations = rest;
  }
  return obj;
}

type InformerLifecycle = Pick<
  InformerCache<KubernetesObject>,
  "start" | "stop" | "waitForSync" | "hasSynced"
>;

export class Caches {
  readonly groups: InformerCache<ContainerGroup & KubernetesObject>;
  readonly pods: InformerCache<V1Pod>;
  readonly services: InformerCache<V1Service>;
  readonly secrets: InformerCache<V1Secret>;
  readonly claims: InformerCache<V1PersistentVolumeClaim>;
  /** Cluster-scoped; unavailable when the operator may not list PersistentVolumes. */
  readonly volumes: InformerCache<V1PersistentVolume>;
  readonly networkPolicies: InformerCache<V1NetworkPolicy>;
  /** Cluster-scoped; unavailable when the operator may not list RuntimeClasses. */
  readonly runtimeClasses: InformerCache<V1RuntimeClass>;

  constructor(o: CacheOptions) {
    const make = <T extends KubernetesObject>(
      name: string,
      resource: InformerOptions<T>["resource"],
      extra: Partial<InformerOptions<T>> = {},
    ): ResilientInformer<T> =>
      new ResilientInformer<T>({
        kubeConfig: o.kubeConfig,
        client: o.client,
        resource,
        resyncIntervalMs: o.resyncIntervalMs,
        logger: o.logger,
        transform: dropLastApplied,
        ...(o.rateLimiter ? { rateLimiter: o.rateLimiter } : {}),
        ...(o.onRestart ? { onRestart: (reason: RestartReason) => o.onRestart?.(name, reason) } : {}),
        ...extra,
      });
    // One informer per watched namespace (client-node's and ours take one namespace or all), so that
    // a Role per namespace suffices: nothing namespaced is ever listed across the cluster.
    const namespaces = o.namespaces ?? [];
    const namespaced = <T extends KubernetesObject>(
      name: string,
      resource: InformerOptions<T>["resource"],
      extra: Partial<InformerOptions<T>> = {},
    ): InformerCache<T> =>
      informerForNamespaces<T>(namespaces, (namespace) =>
        make<T>(name, resource, { ...(namespace ? { namespace } : {}), ...extra }),
      );
    const children = { labelSelector: managedBy, indexers: byGroup };
    this.groups = namespaced("containergroups", { group: GROUP, version: VERSION, plural: PLURAL });
    this.pods = namespaced<V1Pod>(
      "pods",
      { group: "", version: "v1", plural: "pods" },
      { ...children, transform: (pod) => slimPod(dropLastApplied(pod)) },
    );
    this.services = namespaced("services", { group: "", version: "v1", plural: "services" }, children);
    this.secrets = namespaced("secrets", { group: "", version: "v1", plural: "secrets" }, children);
    this.claims = namespaced(
      "persistentvolumeclaims",
      { group: "", version: "v1", plural: "persistentvolumeclaims" },
      children,
    );
    this.networkPolicies = namespaced(
      "networkpolicies",
      { group: "networking.k8s.io", version: "v1", plural: "networkpolicies" },
      children,
    );
    // Cluster-scoped: a namespaced install may leave them out. Refused, they count as synced (the
    // operator gets ready) and unavailable; the groups that need them say so in their status.
    this.volumes = make(
      "persistentvolumes",
      { group: "", version: "v1", plural: "persistentvolumes" },
      { ...children, forbiddenIsUnavailable: true },
    );
    this.runtimeClasses = make(
      "runtimeclasses",
      { group: "node.k8s.io", version: "v1", plural: "runtimeclasses" },
      { forbiddenIsUnavailable: true },
    );
  }

  /** The group's own Pod as cached; a Pod of the same name that another owner controls is not it. */
  podOf(group: ContainerGroup): V1Pod | undefined {
    const cached = this.pods.get(group.metadata.namespace, podName(group));
    return cached && isControlledBy(cached, group) ? cached : undefined;
  }

  /** Every informer, children first so that a group's first reconcile already sees them. */
  all(): InformerLifecycle[] {
    return [
      this.pods,
      this.services,
      this.secrets,
      this.claims,
      this.volumes,
      this.networkPolicies,
      this.runtimeClasses,
      this.groups,
    ];
  }

  start(): void {
    for (const informer of this.all()) informer.start();
  }

  async waitForSync(signal?: AbortSignal): Promise<void> {
    await Promise.all(this.all().map((i) => i.waitForSync(signal)));
  }

  hasSynced(): boolean {
    return this.all().every((i) => i.hasSynced());
  }

  async stop(): Promise<void> {
    await Promise.all(this.all().map((i) => i.stop()));
  }
}
