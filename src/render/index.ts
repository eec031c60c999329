// Everything a group should have in the cluster, from the group, the settings and what the
// controller resolved. Pure: the controller applies the result with server-side apply.

import type {
  V1NetworkPolicy,
  V1PersistentVolume,
  V1PersistentVolumeClaim,
  V1Pod,
  V1Secret,
  V1Service,
} from "@kubernetes/client-node";
import type { ContainerGroup } from "../api/types.js";
import { renderNetworkPolicy } from "./network-policy.js";
import { renderPod } from "./pod.js";
import { type ResolvedInputs, renderSecrets } from "./secrets.js";
import { renderService } from "./service.js";
import type { OperatorSettings } from "./settings.js";
import { renderVolumes } from "./volumes.js";

export interface DesiredChildren {
  /** Absent when the group is stopped: the Pod is deleted, everything else kept. */
  pod?: V1Pod;
  service?: V1Service;
  secrets: V1Secret[];
  pvcs: V1PersistentVolumeClaim[];
  /** Cluster-scoped: no owner reference; the finalizer removes them. */
  pvs: V1PersistentVolume[];
  networkPolicy?: V1NetworkPolicy;
}

export function renderChildren(
  group: ContainerGroup,
  settings: OperatorSettings,
  resolved: ResolvedInputs = {},
): DesiredChildren {
  const { pvcs, pvs } = renderVolumes(group, settings);
  const children: DesiredChildren = { secrets: renderSecrets(group, resolved), pvcs, pvs };
  if (!group.spec.stopped) children.pod = renderPod(group, settings);
  const service = renderService(group, settings);
  if (service) children.service = service;
  const networkPolicy = renderNetworkPolicy(group, settings);
  if (networkPolicy) children.networkPolicy = networkPolicy;
  return children;
}

export { DEFAULT_DOMAIN_NAME_LABEL_SCOPE, dnsLabelHash, groupFqdn } from "./dns.js";
export * from "./names.js";
export { renderNetworkPolicy } from "./network-policy.js";
export { GIT_REPO_MOUNT_PATH, gitRepoInitContainerName, podSpecHash, renderPod, specHashOf } from "./pod.js";
export { cpuQuantity, memoryQuantity } from "./quantities.js";
export {
  containerGpu,
  gpuResourceName,
  gpuResourceNames,
  groupGpu,
  isKataRuntimeClass,
  runtimeClassName,
} from "./scheduling.js";
export {
  AZURE_STORAGE_ACCOUNT_KEY_KEY,
  AZURE_STORAGE_ACCOUNT_NAME_KEY,
  envSecretKey,
  type ResolvedInputs,
  registryPasswordRefs,
  renderSecrets,
} from "./secrets.js";
export { externalDnsAnnotations, renderService } from "./service.js";
export {
  defaultSettings,
  type GpuSkuSettings,
  type OperatorSettings,
  type PoolSettings,
  settingsWith,
} from "./settings.js";
export { AZURE_FILE_CSI_DRIVER, renderVolumes } from "./volumes.js";
