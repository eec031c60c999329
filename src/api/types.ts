// The ContainerGroup types the rest of the operator imports. The shapes are generated from the CRD
// (src/api/generated/containergroup.ts, by hack/gen-types.ts), so they cannot drift from what the API
// server accepts; this file only names them and adds the object envelope.
//
// Fields the schema defaults (osType, sku, priority, restartPolicy, stopped, resources, port
// protocols, ...) are not optional: every group read from the API server carries them.
import type { V1ObjectMeta } from "@kubernetes/client-node";
import type { ContainerGroupSpec, ContainerGroupStatus, Volume } from "./generated/containergroup.js";

export type {
  AzureFileVolume,
  Capabilities,
  Condition,
  ConditionStatus,
  Container,
  ContainerExec,
  ContainerGroupSpec,
  ContainerGroupStatus,
  ContainerHttpGet,
  ContainerInstanceView,
  ContainerPort,
  ContainerProbe,
  ContainerState,
  DnsConfig,
  DnsNameLabelReusePolicy,
  EmptyDirVolume,
  EnvironmentVariable,
  FileShareDeletePolicy,
  FileShareVolume,
  FinishedUsage,
  GitRepoVolume,
  GpuResource,
  GpuSku,
  GroupState,
  HttpHeader,
  ImageRegistryCredential,
  InitContainer,
  IpAddress,
  IpAddressStatus,
  IpAddressType,
  OsType,
  PersistentVolumeClaimVolume,
  Port,
  Priority,
  Protocol,
  ResourceLimits,
  ResourceRequests,
  ResourceRequirements,
  ResourceTotals,
  RestartPolicy,
  Scheme,
  SeccompProfile,
  SeccompProfileType,
  SecretKeySelector,
  SecretVolume,
  SecureValueSource,
  SecurityContext,
  Sku,
  Usage,
  Volume,
  VolumeMount,
} from "./generated/containergroup.js";

/** A ContainerGroup as the API server returns it. */
export interface ContainerGroup {
  apiVersion: "containerinstances.dev/v1alpha1";
  kind: "ContainerGroup";
  metadata: V1ObjectMeta;
  spec: ContainerGroupSpec;
  status?: ContainerGroupStatus;
}

/** A list of ContainerGroups, as a list call returns it. */
export interface ContainerGroupList {
  apiVersion: "containerinstances.dev/v1alpha1";
  kind: "ContainerGroupList";
  metadata: { resourceVersion?: string; continue?: string };
  items: ContainerGroup[];
}

/** The names of the volume sources; a volume sets exactly one of them. */
export type VolumeSource = Exclude<keyof Volume, "name">;
