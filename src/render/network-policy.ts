// Isolation between tenants: the group's Pod accepts connections only on its ipAddress ports.
// Egress is left alone, as ACI leaves it.

import type { V1NetworkPolicy } from "@kubernetes/client-node";
import type { ContainerGroup } from "../api/types.js";
import { childLabels, controllerReference, groupNamespace, networkPolicyName, podSelector } from "./names.js";
import type { OperatorSettings } from "./settings.js";

/** Ingress only on the ipAddress ports; a group with no ipAddress accepts no connections at all. */
export function renderNetworkPolicy(
  group: ContainerGroup,
  settings: OperatorSettings,
): V1NetworkPolicy | undefined {
  if (!settings.networkPolicy) return undefined;
  const ports = group.spec.ipAddress?.ports ?? [];
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: {
      name: networkPolicyName(group),
      namespace: groupNamespace(group),
      labels: childLabels(group),
      ownerReferences: [controllerReference(group)],
    },
    spec: {
      podSelector: { matchLabels: podSelector(group) },
      // policyTypes Ingress with no rules admits nothing (the field is left out: the API server
      // drops an empty list anyway); a rule with ports and no `from` admits those ports from anywhere.
      policyTypes: ["Ingress"],
      ...(ports.length === 0
        ? {}
        : {
            ingress: [
              { ports: ports.map((port) => ({ port: port.port, protocol: port.protocol ?? "TCP" })) },
            ],
          }),
    },
  };
}
