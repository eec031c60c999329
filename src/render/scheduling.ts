// Where a group may run: RuntimeClass, GPU resource and node selection, pools and zones.

import type { V1Affinity, V1Toleration } from "@kubernetes/client-node";
import type { Container, ContainerGroup, GpuResource } from "../api/types.js";
import {
  GPU_PRODUCT_LABEL,
  type GpuSkuSettings,
  NVIDIA_GPU_RESOURCE,
  NVIDIA_PASSTHROUGH_GPU_RESOURCE,
  type OperatorSettings,
} from "./settings.js";

export const OS_LABEL = "kubernetes.io/os";
export const ZONE_LABEL = "topology.kubernetes.io/zone";

/** A container's GPUs: the request, or the limit when only a limit is given (they must be equal). */
export function containerGpu(container: Container): GpuResource | undefined {
  const gpu = container.resources?.requests?.gpu ?? container.resources?.limits?.gpu;
  return gpu && gpu.count > 0 ? gpu : undefined;
}

/** The group's GPUs: the total count and the SKU (ACI gives a group one GPU SKU). */
export function groupGpu(group: ContainerGroup): { count: number; sku: string } | undefined {
  let count = 0;
  let sku: string | undefined;
  for (const container of group.spec.containers ?? []) {
    const gpu = containerGpu(container);
    if (!gpu) continue;
    count += gpu.count;
    sku ??= gpu.sku;
  }
  return sku === undefined ? undefined : { count, sku };
}

/**
 * The SKU's entry in the GPU table. A SKU the table lacks still gets a node selector on its name,
 * so the group waits for such a node (with a condition naming the SKU) instead of landing on any GPU.
 */
export function gpuSkuSettings(sku: string, settings: OperatorSettings): GpuSkuSettings {
  return settings.gpuSkus[sku] ?? { nodeSelector: { [GPU_PRODUCT_LABEL]: sku } };
}

/** Kata guests get whole GPUs by passthrough (kata-deploy's classes, AKS's kata-vm-isolation). */
export function isKataRuntimeClass(runtimeClassName: string): boolean {
  return runtimeClassName.startsWith("kata");
}

/** The RuntimeClass of a group with GPUs of this SKU ("" for none). */
export function gpuRuntimeClassName(sku: string, settings: OperatorSettings): string {
  return (
    gpuSkuSettings(sku, settings).runtimeClassName ??
    (settings.gpuRuntimeClassName || settings.runtimeClassName)
  );
}

/**
 * The extended resource for a GPU SKU: the table's; else pgpu when a GPU-specific Kata class is
 * configured (passthrough into the guest, as kata-qemu-nvidia-gpu); else the device plugin's gpu.
 * A group that falls back to the general class asks for nvidia.com/gpu, which is what clusters
 * without a Kata GPU class (and the local plane) offer.
 */
export function gpuResourceName(sku: string, settings: OperatorSettings): string {
  const skuSettings = gpuSkuSettings(sku, settings);
  if (skuSettings.resourceName) return skuSettings.resourceName;
  const gpuClass = skuSettings.runtimeClassName ?? settings.gpuRuntimeClassName;
  return gpuClass && isKataRuntimeClass(gpuClass) ? NVIDIA_PASSTHROUGH_GPU_RESOURCE : NVIDIA_GPU_RESOURCE;
}

/** Every resource name that counts as GPUs, for usage accounting from a Pod's requests. */
export function gpuResourceNames(settings: OperatorSettings): Set<string> {
  const names = new Set([NVIDIA_GPU_RESOURCE, NVIDIA_PASSTHROUGH_GPU_RESOURCE]);
  for (const sku of Object.keys(settings.gpuSkus)) names.add(gpuResourceName(sku, settings));
  return names;
}

/**
 * The group's RuntimeClass, or undefined for none. Windows first (Kata has no Windows guests), then
 * Confidential, then GPUs, then the general class.
 */
export function runtimeClassName(group: ContainerGroup, settings: OperatorSettings): string | undefined {
  let name: string;
  if (group.spec.osType === "Windows") name = settings.windowsRuntimeClassName;
  else if (group.spec.sku === "Confidential") name = settings.confidentialRuntimeClassName;
  else {
    const gpu = groupGpu(group);
    name = gpu ? gpuRuntimeClassName(gpu.sku, settings) : settings.runtimeClassName;
  }
  return name === "" ? undefined : name;
}

/** Node selector: OS, GPU SKU, dedicated and spot pools. */
export function nodeSelector(group: ContainerGroup, settings: OperatorSettings): Record<string, string> {
  const selector: Record<string, string> = {
    [OS_LABEL]: group.spec.osType === "Windows" ? "windows" : "linux",
  };
  const gpu = groupGpu(group);
  if (gpu) Object.assign(selector, gpuSkuSettings(gpu.sku, settings).nodeSelector);
  if (group.spec.sku === "Dedicated") Object.assign(selector, settings.dedicated.nodeSelector);
  if (group.spec.priority === "Spot") Object.assign(selector, settings.spot.nodeSelector);
  return selector;
}

export function tolerations(group: ContainerGroup, settings: OperatorSettings): V1Toleration[] {
  return [
    ...(group.spec.sku === "Dedicated" ? settings.dedicated.tolerations : []),
    ...(group.spec.priority === "Spot" ? settings.spot.tolerations : []),
  ];
}

/**
 * Required node affinity on the zone label. ACI's zones are "1", "2", "3"; they are matched as
 * written, so nodes must carry those values (AKS writes `<region>-<n>`; label nodes or use zone
 * names in the group to match).
 */
export function zoneAffinity(group: ContainerGroup): V1Affinity | undefined {
  const zones = group.spec.zones ?? [];
  if (zones.length === 0) return undefined;
  return {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [{ matchExpressions: [{ key: ZONE_LABEL, operator: "In", values: [...zones] }] }],
      },
    },
  };
}
