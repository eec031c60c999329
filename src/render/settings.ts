// The operator configuration that rendering and status need. The runtime parses its own
// configuration (flags, environment, a ConfigMap) into this shape; nothing here does I/O.

import type { V1Toleration } from "@kubernetes/client-node";

/** How one ACI GPU SKU is found on this cluster. */
export interface GpuSkuSettings {
  /**
   * Extended resource the Pod asks for. When unset: `nvidia.com/pgpu` if the group runs under a
   * Kata class (GPU passthrough, see engineering notes), `nvidia.com/gpu` otherwise.
   */
  resourceName?: string;
  /** Node labels that identify nodes with this GPU (GPU Feature Discovery's `nvidia.com/gpu.product`). */
  nodeSelector: Record<string, string>;
  /** RuntimeClass for groups with this SKU; overrides `gpuRuntimeClassName`. Empty string: none. */
  runtimeClassName?: string;
}

/** Node selector and tolerations for a node pool (dedicated hosts, spot capacity). */
export interface PoolSettings {
  nodeSelector: Record<string, string>;
  tolerations: V1Toleration[];
}

/**
 * How Pods meet the Pod Security Standards. `restricted`: every Pod is rendered to pass the
 * `restricted` level wherever the group asks nothing contrary; `off`: the usual Pods (they pass
 * `baseline` unless the group asks for more); `auto`: `restricted` in namespaces whose
 * `pod-security.kubernetes.io/enforce` label is `restricted`, else `off`. Rendering itself never
 * reads namespaces: the controller resolves `auto` and renders with `restricted` or `off`.
 */
export type PodSecurityMode = "auto" | "restricted" | "off";

export const POD_SECURITY_MODES: readonly PodSecurityMode[] = ["auto", "restricted", "off"];

export interface OperatorSettings {
  /** RuntimeClass for every group (hypervisor isolation). Empty string: no RuntimeClass (e.g. kind). */
  runtimeClassName: string;
  /** RuntimeClass for `sku: Confidential`. */
  confidentialRuntimeClassName: string;
  /** RuntimeClass for groups with GPUs (e.g. `kata-qemu-nvidia-gpu`). Empty: use `runtimeClassName`. */
  gpuRuntimeClassName: string;
  /** RuntimeClass for `osType: Windows` (Kata runs Linux guests only). Empty: none. */
  windowsRuntimeClassName: string;
  /** DNS zone for FQDNs: `<label>[.<hash>].<dnsZone>` (ACI uses `<region>.azurecontainer.io`). */
  dnsZone: string;
  /** Identity of this cluster in DNS hashes (plays the role of ACI's tenant and subscription). */
  clusterIdentity: string;
  /** external-dns annotation prefix; external-dns v0.22 moved from `external-dns.alpha.kubernetes.io/`. */
  externalDnsAnnotationPrefix: string;
  /** TTL written as `<prefix>ttl` next to the hostname. */
  dnsTtlSeconds: number;
  /** Render a NetworkPolicy that admits ingress only on the group's ipAddress ports. */
  networkPolicy: boolean;
  /** Image with git for the init container that fills `gitRepo` volumes. */
  gitImage: string;
  /** GPU SKU (ACI's K80, P100, V100 and the extensions T4, A10, A100, H100) -> how this cluster provides it. */
  gpuSkus: Record<string, GpuSkuSettings>;
  /** Scheduling for `sku: Dedicated`. */
  dedicated: PoolSettings;
  /** Scheduling for `priority: Spot`. */
  spot: PoolSettings;
  /** StorageClass for `fileShare` volumes that name none. Empty: the cluster's default class. */
  fileShareDefaultStorageClass: string;
  /**
   * `spec.loadBalancerClass` of Public groups' Services, for clusters with more than one load
   * balancer implementation. Empty: none, so the cluster's default load balancer serves them.
   */
  loadBalancerClass: string;
  /** Pod Security Standards rendering; `auto` renders as `off` (see PodSecurityMode). */
  podSecurity: PodSecurityMode;
}

/** GPU Feature Discovery's product label. */
export const GPU_PRODUCT_LABEL = "nvidia.com/gpu.product";
/** The NVIDIA device plugin's resource for containers that share the node kernel (runc). */
export const NVIDIA_GPU_RESOURCE = "nvidia.com/gpu";
/** The resource for whole-GPU passthrough into a Kata guest (kata-qemu-nvidia-gpu). */
export const NVIDIA_PASSTHROUGH_GPU_RESOURCE = "nvidia.com/pgpu";

function gpuProduct(product: string): GpuSkuSettings {
  return { nodeSelector: { [GPU_PRODUCT_LABEL]: product } };
}

export const defaultSettings: OperatorSettings = {
  runtimeClassName: "kata",
  confidentialRuntimeClassName: "kata-qemu-snp",
  gpuRuntimeClassName: "",
  windowsRuntimeClassName: "",
  dnsZone: "containers.example.net",
  clusterIdentity: "cluster",
  externalDnsAnnotationPrefix: "external-dns.kubernetes.io/",
  dnsTtlSeconds: 300,
  networkPolicy: true,
  gitImage: "alpine/git:2.47.2",
  // Product names as GPU Feature Discovery writes them (nvidia-smi's name, spaces as dashes), for
  // the Azure sizes ACI's SKUs run on (NC, NCv2, NCv3, NCasT4_v3, NVadsA10 v5, NC A100 v4, NCads H100 v5).
  gpuSkus: {
    K80: gpuProduct("Tesla-K80"),
    P100: gpuProduct("Tesla-P100-PCIE-16GB"),
    V100: gpuProduct("Tesla-V100-SXM2-16GB"),
    T4: gpuProduct("Tesla-T4"),
    A10: gpuProduct("NVIDIA-A10"),
    A100: gpuProduct("NVIDIA-A100-80GB-PCIe"),
    H100: gpuProduct("NVIDIA-H100-NVL"),
  },
  dedicated: {
    nodeSelector: { "containerinstances.dev/pool": "dedicated" },
    tolerations: [{ key: "containerinstances.dev/dedicated", operator: "Exists", effect: "NoSchedule" }],
  },
  spot: {
    // AKS labels and taints spot node pools this way.
    nodeSelector: { "kubernetes.azure.com/scalesetpriority": "spot" },
    tolerations: [
      {
        key: "kubernetes.azure.com/scalesetpriority",
        operator: "Equal",
        value: "spot",
        effect: "NoSchedule",
      },
    ],
  },
  fileShareDefaultStorageClass: "",
  loadBalancerClass: "",
  podSecurity: "auto",
};

/** Default settings with some fields replaced (tests, configuration parsing). */
export function settingsWith(overrides: Partial<OperatorSettings>): OperatorSettings {
  return { ...defaultSettings, ...overrides };
}
