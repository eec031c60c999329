// The group's IP address: a Service named like the group, with an external-dns hostname when the
// group has a DNS name label.

import type { V1Service } from "@kubernetes/client-node";
import type { ContainerGroup } from "../api/types.js";
import { groupFqdn } from "./dns.js";
import { childLabels, controllerReference, groupNamespace, podSelector, serviceName } from "./names.js";
import type { OperatorSettings } from "./settings.js";

/** The external-dns annotations (`<prefix>hostname`, `<prefix>ttl`), or none without a DNS label. */
export function externalDnsAnnotations(
  group: ContainerGroup,
  settings: OperatorSettings,
): Record<string, string> | undefined {
  const fqdn = groupFqdn(group, settings);
  if (!fqdn) return undefined;
  const prefix = settings.externalDnsAnnotationPrefix;
  return { [`${prefix}hostname`]: fqdn, [`${prefix}ttl`]: String(settings.dnsTtlSeconds) };
}

/**
 * Public: LoadBalancer (of the configured class, if any); Private: ClusterIP. None without an
 * ipAddress or without ports.
 */
export function renderService(group: ContainerGroup, settings: OperatorSettings): V1Service | undefined {
  const ipAddress = group.spec.ipAddress;
  if (!ipAddress || (ipAddress.ports ?? []).length === 0) return undefined;
  const annotations = externalDnsAnnotations(group, settings);
  const isPublic = ipAddress.type === "Public";
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: {
      name: serviceName(group),
      namespace: groupNamespace(group),
      labels: childLabels(group),
      ...(annotations ? { annotations } : {}),
      ownerReferences: [controllerReference(group)],
    },
    spec: {
      type: isPublic ? "LoadBalancer" : "ClusterIP",
      ...(isPublic && settings.loadBalancerClass ? { loadBalancerClass: settings.loadBalancerClass } : {}),
      selector: podSelector(group),
      // ACI has no port mapping: the Service port is the container port.
      ports: ipAddress.ports.map((port) => {
        const protocol = port.protocol ?? "TCP";
        return {
          name: `${protocol.toLowerCase()}-${port.port}`,
          port: port.port,
          targetPort: port.port,
          protocol,
        };
      }),
    },
  };
}
