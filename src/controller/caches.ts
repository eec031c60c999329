// The controller's view of the cluster: one informer per kind it reads. Children are selected by
// the managed-by label, so the operator caches only what it made, never every Pod in the cluster.
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

export interface CacheOptions {
  kubeConfig: KubeConfig;
  client: KubeClient;
  rateLimiter?: RequestRateLimiter;
  /** Watch groups and their children in this namespace only; undefined: all namespaces. */
  namespace?: string;
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
  ResilientInformer<KubernetesObject>,
  "start" | "stop" | "waitForSync" | "hasSynced"
>;

export class Caches {
  readonly groups: ResilientInformer<ContainerGroup & KubernetesObject>;
  readonly pods: ResilientInformer<V1Pod>;
  readonly services: ResilientInformer<V1Service>;
  readonly secrets: ResilientInformer<V1Secret>;
  readonly claims: ResilientInformer<V1PersistentVolumeClaim>;
  readonly volumes: ResilientInformer<V1PersistentVolume>;
  readonly networkPolicies: ResilientInformer<V1NetworkPolicy>;
  readonly runtimeClasses: ResilientInformer<V1RuntimeClass>;

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
    const ns = o.namespace ? { namespace: o.namespace } : {};
    this.groups = make("containergroups", { group: GROUP, version: VERSION, plural: PLURAL }, ns);
    this.pods = make<V1Pod>(
      "pods",
      { group: "", version: "v1", plural: "pods" },
      {
        ...ns,
        labelSelector: managedBy,
        indexers: byGroup,
        transform: (pod) => slimPod(dropLastApplied(pod)),
      },
    );
    this.services = make(
      "services",
      { group: "", version: "v1", plural: "services" },
      { ...ns, labelSelector: managedBy, indexers: byGroup },
    );
    this.secrets = make(
      "secrets",
      { group: "", version: "v1", plural: "secrets" },
      { ...ns, labelSelector: managedBy, indexers: byGroup },
    );
    this.claims = make(
      "persistentvolumeclaims",
      { group: "", version: "v1", plural: "persistentvolumeclaims" },
      { ...ns, labelSelector: managedBy, indexers: byGroup },
    );
    this.volumes = make(
      "persistentvolumes",
      { group: "", version: "v1", plural: "persistentvolumes" },
      { labelSelector: managedBy, indexers: byGroup },
    );
    this.networkPolicies = make(
      "networkpolicies",
      { group: "networking.k8s.io", version: "v1", plural: "networkpolicies" },
      { ...ns, labelSelector: managedBy, indexers: byGroup },
    );
    this.runtimeClasses = make("runtimeclasses", {
      group: "node.k8s.io",
      version: "v1",
      plural: "runtimeclasses",
    });
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
