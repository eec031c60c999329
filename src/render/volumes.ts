// Claims and volumes for the group's file shares. azureFile: a static PersistentVolume for an
// existing share plus a claim bound to it. fileShare: a dynamically provisioned claim, which with
// deletePolicy Retain outlives the group.

import type { V1PersistentVolume, V1PersistentVolumeClaim } from "@kubernetes/client-node";
import type { AzureFileVolume, ContainerGroup, FileShareVolume } from "../api/types.js";
import {
  azureFileSecretName,
  controllerReference,
  groupNamespace,
  persistentVolumeLabels,
  persistentVolumeName,
  volumeClaimName,
  volumeLabels,
} from "./names.js";
import type { OperatorSettings } from "./settings.js";

export const AZURE_FILE_CSI_DRIVER = "file.csi.azure.com";
/**
 * An Azure Files share has no size in ACI's API; a static PV's capacity only has to cover its
 * claim's request, so both carry this nominal size.
 */
export const AZURE_FILE_NOMINAL_CAPACITY = "100Gi";
/** Mount options the Azure Files CSI driver documents for general use (symlinks, no shared socket). */
export const AZURE_FILE_MOUNT_OPTIONS = [
  "dir_mode=0777",
  "file_mode=0777",
  "mfsymlinks",
  "cache=strict",
  "nosharesock",
  "actimeo=30",
];

export function renderAzureFileVolume(
  group: ContainerGroup,
  volumeName: string,
  azureFile: AzureFileVolume,
): V1PersistentVolume {
  const namespace = groupNamespace(group);
  const name = persistentVolumeName(group, volumeName);
  return {
    apiVersion: "v1",
    kind: "PersistentVolume",
    metadata: {
      name,
      // Cluster-scoped: no owner reference can point at the group, so the group's finalizer
      // deletes it, found by these labels.
      labels: persistentVolumeLabels(group, volumeName),
    },
    spec: {
      capacity: { storage: AZURE_FILE_NOMINAL_CAPACITY },
      accessModes: ["ReadWriteMany"],
      persistentVolumeReclaimPolicy: "Retain",
      // Empty class: only the claim named in claimRef binds, never a dynamically provisioned one.
      storageClassName: "",
      mountOptions: [...AZURE_FILE_MOUNT_OPTIONS],
      claimRef: {
        apiVersion: "v1",
        kind: "PersistentVolumeClaim",
        namespace,
        name: volumeClaimName(group, volumeName),
      },
      csi: {
        driver: AZURE_FILE_CSI_DRIVER,
        // Unique per PV: the driver keys mounts on the handle.
        volumeHandle: `${azureFile.storageAccountName}#${azureFile.shareName}#${name}`,
        readOnly: azureFile.readOnly,
        volumeAttributes: { shareName: azureFile.shareName },
        nodeStageSecretRef: { name: azureFileSecretName(group, volumeName), namespace },
      },
    },
  };
}

export function renderAzureFileClaim(group: ContainerGroup, volumeName: string): V1PersistentVolumeClaim {
  return {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: {
      name: volumeClaimName(group, volumeName),
      namespace: groupNamespace(group),
      labels: volumeLabels(group, volumeName),
      ownerReferences: [controllerReference(group)],
    },
    spec: {
      accessModes: ["ReadWriteMany"],
      storageClassName: "",
      volumeName: persistentVolumeName(group, volumeName),
      resources: { requests: { storage: AZURE_FILE_NOMINAL_CAPACITY } },
    },
  };
}

/**
 * A fileShare claim. Delete: owned by the group and collected with it. Retain: no owner
 * reference, so it outlives the group; a group recreated under the same name renders the same
 * claim name and gets its data back (the labels name group and volume, for the controller to check).
 */
export function renderFileShareClaim(
  group: ContainerGroup,
  volumeName: string,
  fileShare: FileShareVolume,
  settings: OperatorSettings,
): V1PersistentVolumeClaim {
  const storageClassName = fileShare.storageClassName || settings.fileShareDefaultStorageClass || undefined;
  return {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: {
      name: volumeClaimName(group, volumeName),
      namespace: groupNamespace(group),
      labels: volumeLabels(group, volumeName),
      ...(fileShare.deletePolicy === "Delete" ? { ownerReferences: [controllerReference(group)] } : {}),
    },
    spec: {
      accessModes: ["ReadWriteMany"],
      ...(storageClassName ? { storageClassName } : {}),
      // ACI's GB: 10^9 bytes.
      resources: { requests: { storage: `${fileShare.sizeInGB}G` } },
    },
  };
}

export interface RenderedVolumes {
  pvcs: V1PersistentVolumeClaim[];
  pvs: V1PersistentVolume[];
}

export function renderVolumes(group: ContainerGroup, settings: OperatorSettings): RenderedVolumes {
  const pvcs: V1PersistentVolumeClaim[] = [];
  const pvs: V1PersistentVolume[] = [];
  for (const volume of group.spec.volumes ?? []) {
    if (volume.azureFile) {
      pvs.push(renderAzureFileVolume(group, volume.name, volume.azureFile));
      pvcs.push(renderAzureFileClaim(group, volume.name));
    } else if (volume.fileShare) {
      pvcs.push(renderFileShareClaim(group, volume.name, volume.fileShare, settings));
    }
  }
  return { pvcs, pvs };
}
