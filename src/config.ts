// Every operator setting: its flag, its environment variable, its default and what it does.
// `--help` prints this list; the README's settings table and the Helm chart's values follow it.
import { z } from "zod";
import {
  defaultSettings,
  type GpuSkuSettings,
  type OperatorSettings,
  POD_SECURITY_MODES,
  type PoolSettings,
} from "./render/settings.js";
import { LOG_LEVELS } from "./runtime/logger.js";
import { defineSettings, parseSettings, type SettingsValues, setting } from "./runtime/settings.js";

const toleration = z.object({
  key: z.string().optional(),
  operator: z.enum(["Exists", "Equal"]).optional(),
  value: z.string().optional(),
  effect: z.enum(["NoSchedule", "PreferNoSchedule", "NoExecute"]).optional(),
  tolerationSeconds: z.number().int().optional(),
});
const pool = z.object({
  nodeSelector: z.record(z.string(), z.string()).default({}),
  tolerations: z.array(toleration).default([]),
});
const gpuSku = z.object({
  resourceName: z.string().min(1).optional(),
  nodeSelector: z.record(z.string(), z.string()).default({}),
  runtimeClassName: z.string().optional(),
});

/** A setting whose value is JSON (a table or an object), checked against a schema. */
function json<T extends z.ZodType>(schema: T) {
  return z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch (e) {
        ctx.addIssue({
          code: "custom",
          message: `not valid JSON: ${e instanceof Error ? e.message : String(e)}`,
        });
        return z.NEVER;
      }
    })
    .pipe(schema);
}

const intervalSeconds = z.coerce.number().int().positive();

const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * A comma list of namespaces (kubebuilder's WATCH_NAMESPACE convention): entries trimmed, empty
 * ones and duplicates dropped, each a DNS-1123 label. The value stays a string, normalized to
 * `a,b` ("" for every namespace), so the chart's flag and the default keep one form;
 * `watchNamespaces()` splits it.
 */
const namespaceList = z.string().transform((text, ctx) => {
  const entries = [...new Set(text.split(",").map((entry) => entry.trim()))].filter((e) => e !== "");
  for (const entry of entries) {
    if (entry.length > 63 || !DNS_1123_LABEL.test(entry)) {
      ctx.addIssue({
        code: "custom",
        message: `entry "${entry}" is not a namespace name (a DNS-1123 label: at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit); give namespaces separated by commas, or nothing for every namespace`,
      });
    }
  }
  return entries.join(",");
});

export const settingSpecs = defineSettings([
  // Connection and scale.
  setting({
    name: "kubeconfig",
    env: "KUBECONFIG",
    schema: z.string().optional(),
    default: undefined,
    description: "Kubeconfig file; unset: in-cluster ServiceAccount, else ~/.kube/config.",
  }),
  setting({
    name: "watch-namespace",
    env: "WATCH_NAMESPACE",
    schema: namespaceList,
    default: "",
    description:
      "Reconcile groups in these namespaces only, a comma list (a,b); empty: every namespace. With a list, nothing namespaced is read outside it.",
  }),
  setting({
    name: "workers",
    env: "WORKERS",
    schema: z.coerce.number().int().min(1).max(256),
    default: 8,
    description: "Groups reconciled at once (one worker never shares a group with another).",
  }),
  setting({
    name: "kube-api-qps",
    env: "KUBE_API_QPS",
    schema: z.coerce.number().min(0),
    default: 20,
    description:
      "Client-side limit on API requests per second (as kube-controller-manager's); 0: no client-side limit, the API server's priority and fairness alone (as controller-runtime since v0.21).",
  }),
  setting({
    name: "kube-api-burst",
    env: "KUBE_API_BURST",
    schema: z.coerce.number().int().positive(),
    default: 30,
    description: "Requests allowed above the QPS limit in a burst.",
  }),
  setting({
    name: "usage-interval-seconds",
    env: "USAGE_INTERVAL_SECONDS",
    schema: z.coerce.number().int().min(0),
    // 0 by default, against the API contract's "about a minute": see the README's design section.
    default: 0,
    description:
      "How often a running group's status.usage is also brought up to date between state changes (exact when written); 0: on state changes only, so converged groups cost no writes (the usage metrics stay live).",
  }),
  setting({
    name: "resync-seconds",
    env: "RESYNC_SECONDS",
    schema: intervalSeconds,
    default: 600,
    description: "Full re-list of every watched resource, a safety net for missed watch events.",
  }),
  // Operation.
  setting({
    name: "operator-namespace",
    env: "POD_NAMESPACE",
    schema: z.string().min(1),
    default: "default",
    description:
      "The operator's own namespace, where it keeps its cluster-wide DNS name claims (Leases); in a Pod, its namespace.",
  }),
  setting({
    name: "leader-elect",
    env: "LEADER_ELECT",
    schema: z.stringbool(),
    default: false,
    description: "Run only while holding the Lease, so that replicas take over from one another.",
  }),
  setting({
    name: "leader-election-namespace",
    env: "LEADER_ELECTION_NAMESPACE",
    schema: z.string(),
    default: "",
    description: "Namespace of the Lease; empty: the Pod's namespace (POD_NAMESPACE), else 'default'.",
  }),
  setting({
    name: "leader-election-id",
    env: "LEADER_ELECTION_ID",
    schema: z.string().min(1),
    default: "container-instances-operator",
    description: "Name of the Lease.",
  }),
  setting({
    name: "lease-duration-seconds",
    env: "LEASE_DURATION_SECONDS",
    schema: intervalSeconds,
    default: 15,
    description: "How long a Lease holds without renewal before another replica may take it.",
  }),
  setting({
    name: "renew-deadline-seconds",
    env: "RENEW_DEADLINE_SECONDS",
    schema: intervalSeconds,
    default: 10,
    description: "The leader stops working when it could not renew for this long.",
  }),
  setting({
    name: "retry-period-seconds",
    env: "RETRY_PERIOD_SECONDS",
    schema: intervalSeconds,
    default: 2,
    description: "How often the Lease is renewed or tried.",
  }),
  setting({
    name: "health-port",
    env: "HEALTH_PORT",
    schema: z.coerce.number().int().min(0).max(65535),
    default: 8081,
    description: "Port for /healthz and /readyz (plain HTTP, for the kubelet's probes); 0 picks a free one.",
  }),
  setting({
    name: "health-bind-address",
    env: "HEALTH_BIND_ADDRESS",
    schema: z.string().min(1),
    default: "0.0.0.0",
    description: "Address the health server listens on.",
  }),
  setting({
    name: "metrics-port",
    env: "METRICS_PORT",
    schema: z.coerce.number().int().min(0).max(65535),
    default: 8443,
    description:
      "Port for /metrics (HTTPS, authenticated, unless --metrics-secure=false); 0 picks a free one.",
  }),
  setting({
    name: "metrics-bind-address",
    env: "METRICS_BIND_ADDRESS",
    schema: z.string().min(1),
    default: "0.0.0.0",
    description: "Address the metrics server listens on.",
  }),
  setting({
    name: "metrics-secure",
    env: "METRICS_SECURE",
    schema: z.stringbool(),
    default: true,
    description:
      "Serve /metrics over HTTPS (TLS 1.2+, HTTP/1.1) to callers whose bearer token passes a TokenReview and a SubjectAccessReview for get /metrics; false: plain HTTP to anyone who reaches the port.",
  }),
  setting({
    name: "metrics-cert-dir",
    env: "METRICS_CERT_DIR",
    schema: z.string(),
    default: "",
    description:
      "Directory with tls.crt and tls.key (a mounted kubernetes.io/tls Secret), reloaded when they change; empty: a self-signed certificate made at start.",
  }),
  setting({
    name: "log-level",
    env: "LOG_LEVEL",
    schema: z.enum(LOG_LEVELS),
    default: "info",
    description: "Least severe log level written (JSON lines on stdout).",
  }),
  // What groups become.
  setting({
    name: "runtime-class",
    env: "RUNTIME_CLASS",
    schema: z.string(),
    default: defaultSettings.runtimeClassName,
    description:
      "RuntimeClass for every group (hypervisor isolation); empty: none (kind, clusters without Kata).",
  }),
  setting({
    name: "confidential-runtime-class",
    env: "CONFIDENTIAL_RUNTIME_CLASS",
    schema: z.string(),
    default: defaultSettings.confidentialRuntimeClassName,
    description: "RuntimeClass for sku: Confidential.",
  }),
  setting({
    name: "gpu-runtime-class",
    env: "GPU_RUNTIME_CLASS",
    schema: z.string(),
    default: defaultSettings.gpuRuntimeClassName,
    description: "RuntimeClass for groups with GPUs (e.g. kata-qemu-nvidia-gpu); empty: --runtime-class.",
  }),
  setting({
    name: "windows-runtime-class",
    env: "WINDOWS_RUNTIME_CLASS",
    schema: z.string(),
    default: defaultSettings.windowsRuntimeClassName,
    description: "RuntimeClass for osType: Windows (Kata runs Linux only); empty: none.",
  }),
  setting({
    name: "dns-zone",
    env: "DNS_ZONE",
    schema: z
      .string()
      .regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)*[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "a DNS name"),
    default: defaultSettings.dnsZone,
    description: "Zone under which dnsNameLabel FQDNs are made (ACI: <region>.azurecontainer.io).",
  }),
  setting({
    name: "cluster-identity",
    env: "CLUSTER_IDENTITY",
    schema: z.string().min(1),
    default: defaultSettings.clusterIdentity,
    description: "This cluster's name in DNS label hashes (ACI's tenant/subscription).",
  }),
  setting({
    name: "external-dns-annotation-prefix",
    env: "EXTERNAL_DNS_ANNOTATION_PREFIX",
    schema: z.string().min(1),
    default: defaultSettings.externalDnsAnnotationPrefix,
    description: "external-dns annotation prefix (external-dns < v0.22: external-dns.alpha.kubernetes.io/).",
  }),
  setting({
    name: "dns-ttl-seconds",
    env: "DNS_TTL_SECONDS",
    schema: intervalSeconds,
    default: defaultSettings.dnsTtlSeconds,
    description: "TTL of the DNS records external-dns makes.",
  }),
  setting({
    name: "network-policy",
    env: "NETWORK_POLICY",
    schema: z.stringbool(),
    default: defaultSettings.networkPolicy,
    description: "Give each group a NetworkPolicy that admits ingress only on its ipAddress ports.",
  }),
  setting({
    name: "git-image",
    env: "GIT_IMAGE",
    schema: z.string().min(1),
    default: defaultSettings.gitImage,
    description: "Image of the init container that clones gitRepo volumes.",
  }),
  setting({
    name: "file-share-storage-class",
    env: "FILE_SHARE_STORAGE_CLASS",
    schema: z.string(),
    default: defaultSettings.fileShareDefaultStorageClass,
    description: "StorageClass for fileShare volumes that name none; empty: the cluster default.",
  }),
  setting({
    name: "load-balancer-class",
    env: "LOAD_BALANCER_CLASS",
    schema: z.string(),
    default: defaultSettings.loadBalancerClass,
    description:
      "loadBalancerClass of Public groups' Services (immutable once set on a Service); empty: the cluster's default load balancer.",
  }),
  setting({
    name: "pod-security",
    env: "POD_SECURITY",
    schema: z.enum(POD_SECURITY_MODES),
    default: defaultSettings.podSecurity,
    description:
      "Pod Security Standards: restricted renders every Pod to pass the restricted level where the group asks nothing contrary (root images then need a runAsUser); off: the usual Pods (baseline); auto: restricted in namespaces labelled pod-security.kubernetes.io/enforce=restricted.",
  }),
  setting({
    name: "gpu-skus",
    env: "GPU_SKUS",
    schema: json(z.record(z.string(), gpuSku)).optional(),
    default: undefined,
    description:
      'JSON table merged over the built-in GPU SKUs: {"V100": {"resourceName": "nvidia.com/gpu", "nodeSelector": {...}, "runtimeClassName": "..."}}.',
  }),
  setting({
    name: "dedicated-pool",
    env: "DEDICATED_POOL",
    schema: json(pool).optional(),
    default: undefined,
    description: 'JSON {"nodeSelector": {...}, "tolerations": [...]} for sku: Dedicated.',
  }),
  setting({
    name: "spot-pool",
    env: "SPOT_POOL",
    schema: json(pool).optional(),
    default: undefined,
    description: 'JSON {"nodeSelector": {...}, "tolerations": [...]} for priority: Spot.',
  }),
]);

export type Settings = SettingsValues<typeof settingSpecs>;

/** The watched namespaces of `--watch-namespace`; empty: every namespace. */
export function watchNamespaces(s: Pick<Settings, "watchNamespace">): string[] {
  return s.watchNamespace.split(",").filter((n) => n !== "");
}

export function parseOperatorSettings(argv: readonly string[], env: NodeJS.ProcessEnv) {
  return parseSettings(settingSpecs, argv, env);
}

/** The part of the settings that decides what groups become (render and status). */
export function renderSettings(s: Settings): OperatorSettings {
  return {
    runtimeClassName: s.runtimeClass,
    confidentialRuntimeClassName: s.confidentialRuntimeClass,
    gpuRuntimeClassName: s.gpuRuntimeClass,
    windowsRuntimeClassName: s.windowsRuntimeClass,
    dnsZone: s.dnsZone,
    clusterIdentity: s.clusterIdentity,
    externalDnsAnnotationPrefix: s.externalDnsAnnotationPrefix,
    dnsTtlSeconds: s.dnsTtlSeconds,
    networkPolicy: s.networkPolicy,
    gitImage: s.gitImage,
    gpuSkus: { ...defaultSettings.gpuSkus, ...(s.gpuSkus as Record<string, GpuSkuSettings> | undefined) },
    dedicated: (s.dedicatedPool as PoolSettings | undefined) ?? defaultSettings.dedicated,
    spot: (s.spotPool as PoolSettings | undefined) ?? defaultSettings.spot,
    fileShareDefaultStorageClass: s.fileShareStorageClass,
    loadBalancerClass: s.loadBalancerClass,
    podSecurity: s.podSecurity,
  };
}
