// The objects the benchmark creates: the smallest group (one container, no ipAddress, so Ready
// needs no load balancer) and a one-replica ReplicaSet whose Pod template is the very Pod the
// operator renders for such a group, so both controllers create identical Pods.
import type { KubeObject } from "./kube.js";

export const BENCH_LABEL = "bench.containerinstances.dev/run";

export function minimalGroup(name: string, namespace: string, run: string): KubeObject {
  return {
    apiVersion: "containerinstances.dev/v1alpha1",
    kind: "ContainerGroup",
    metadata: { name, namespace, labels: { [BENCH_LABEL]: run } },
    spec: {
      containers: [
        {
          name: "app",
          image: "registry.k8s.io/pause:3.10",
          resources: { requests: { cpu: 0.01, memoryInGB: 0.01 } },
        },
      ],
    },
  };
}

/** The Pod spec a ReplicaSet template can carry: what the scheduler and admission filled in removed. */
export function templateSpecOf(pod: KubeObject): Record<string, unknown> {
  const { nodeName: _n, overhead: _o, ...spec } = (pod.spec ?? {}) as Record<string, unknown>;
  return spec;
}

export function oneReplicaSet(
  name: string,
  namespace: string,
  run: string,
  podSpec: Record<string, unknown>,
): KubeObject {
  const labels = { app: name, [BENCH_LABEL]: run };
  return {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: { name, namespace, labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels }, spec: podSpec },
    },
  };
}
