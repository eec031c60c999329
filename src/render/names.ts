// Names, labels and the owner reference of every child a group has. One place, so the renderer,
// the controller (which looks children up) and the tests agree.

import type { V1OwnerReference } from "@kubernetes/client-node";
import {
  API_VERSION,
  GROUP,
  GROUP_LABEL,
  KIND,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
} from "../api/constants.js";
import { shortHash } from "./hash.js";

/** What naming needs of a group: its metadata. */
export interface GroupIdentity {
  metadata?: { name?: string; namespace?: string; uid?: string };
}

/** Label on claims and volumes: which of the group's volumes a child serves. */
export const VOLUME_LABEL = `${GROUP}/volume`;
/** Label on PersistentVolumes, which are cluster-scoped: the namespace of the group they serve. */
export const NAMESPACE_LABEL = `${GROUP}/namespace`;
/** Pod annotation: hash of everything that, when it changes, requires a new Pod. */
export const SPEC_HASH_ANNOTATION = `${GROUP}/spec-hash`;

const DNS_SUBDOMAIN_MAX = 253;

export function groupName(group: GroupIdentity): string {
  return group.metadata?.name ?? "";
}

export function groupNamespace(group: GroupIdentity): string {
  return group.metadata?.namespace ?? "";
}

/**
 * `parts` joined with dashes, or, when that is longer than `max`, cut short and ended with a hash of
 * the full name so two long names that share a prefix stay distinct.
 */
export function boundedName(parts: readonly string[], max = DNS_SUBDOMAIN_MAX): string {
  const full = parts.join("-");
  if (full.length <= max) return full;
  const suffix = shortHash([full], 8);
  const head = full.slice(0, max - suffix.length - 1).replace(/[-.]+$/, "");
  return `${head}-${suffix}`;
}

/** The Pod, the Service and the NetworkPolicy are named like the group, as in ACI. */
export function podName(group: GroupIdentity): string {
  return groupName(group);
}

export function serviceName(group: GroupIdentity): string {
  return groupName(group);
}

export function networkPolicyName(group: GroupIdentity): string {
  return groupName(group);
}

/** Secret with the secure environment variable values of all containers. */
export function envSecretName(group: GroupIdentity): string {
  return boundedName([groupName(group), "env"]);
}

/** `kubernetes.io/dockerconfigjson` Secret with the image registry credentials. */
export function registrySecretName(group: GroupIdentity): string {
  return boundedName([groupName(group), "registry"]);
}

/** Secret with the files of a `secret` volume. */
export function secretVolumeSecretName(group: GroupIdentity, volume: string): string {
  return boundedName([groupName(group), "secret", volume]);
}

/** Secret with the storage account name and key of an `azureFile` volume (the CSI node-stage secret). */
export function azureFileSecretName(group: GroupIdentity, volume: string): string {
  return boundedName([groupName(group), "azurefile", volume]);
}

/** PersistentVolumeClaim of an `azureFile` or `fileShare` volume. */
export function volumeClaimName(group: GroupIdentity, volume: string): string {
  return boundedName([groupName(group), volume]);
}

/**
 * PersistentVolume of an `azureFile` volume. PVs are cluster-scoped, so the name carries the
 * namespace, and a hash of (namespace, group, volume) keeps `a-b`/`c` and `a`/`b-c` apart.
 */
export function persistentVolumeName(group: GroupIdentity, volume: string): string {
  const ns = groupNamespace(group);
  const name = groupName(group);
  return boundedName(["aci", ns, name, volume, shortHash([ns, name, volume])]);
}

/** Labels on every child: the informers select by the first, the controller maps back by the second. */
export function childLabels(group: GroupIdentity): Record<string, string> {
  return { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [GROUP_LABEL]: groupName(group) };
}

/** Labels of a claim or volume: the child labels plus the volume it serves. */
export function volumeLabels(group: GroupIdentity, volume: string): Record<string, string> {
  return { ...childLabels(group), [VOLUME_LABEL]: volume };
}

/** Labels of a cluster-scoped PersistentVolume: the volume labels plus the group's namespace. */
export function persistentVolumeLabels(group: GroupIdentity, volume: string): Record<string, string> {
  return { ...volumeLabels(group, volume), [NAMESPACE_LABEL]: groupNamespace(group) };
}

/** The Service and the NetworkPolicy select the group's Pod by these. */
export function podSelector(group: GroupIdentity): Record<string, string> {
  return childLabels(group);
}

/** The controller reference that makes a child the group's: garbage collected with it, watched by it. */
export function controllerReference(group: GroupIdentity): V1OwnerReference {
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    name: groupName(group),
    uid: group.metadata?.uid ?? "",
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** Whether an object is controlled by this group (same uid), as sample-controller's IsControlledBy. */
export function isControlledBy(
  child: { metadata?: { ownerReferences?: V1OwnerReference[] } },
  group: GroupIdentity,
): boolean {
  const uid = group.metadata?.uid;
  if (!uid) return false;
  return (child.metadata?.ownerReferences ?? []).some((ref) => ref.controller === true && ref.uid === uid);
}

/**
 * Whether a retained claim (no owner reference) belongs to this group's volume: its labels name
 * the group and the volume, so a claim of another group with a colliding name is never mounted.
 */
export function claimServesVolume(
  claim: { metadata?: { labels?: Record<string, string> } },
  group: GroupIdentity,
  volume: string,
): boolean {
  const labels = claim.metadata?.labels ?? {};
  return labels[GROUP_LABEL] === groupName(group) && labels[VOLUME_LABEL] === volume;
}
